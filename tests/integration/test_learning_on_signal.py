"""Taste learned while you shop: a save, dislike or cart signal queues a learning run.

Against the whole local stack: the api function stores the signal and publishes to
`preference-learning-user`; the Pub/Sub emulator pushes it to the learner function, which
writes user_preferences. Nothing here calls the learner directly.
"""

from __future__ import annotations

import time

import httpx
import pytest

from devstack.stack import LocalStack
from shopper.models import Product
from shopper.repository import LEARNING_TRIGGERS, Repository

pytestmark = pytest.mark.integration


def _products(repo: Repository, user_id: str) -> None:
    rows = []
    for i, (title, brand) in enumerate([("Sony WH-1000XM5", "Sony"), ("Sony ULT Wear", "Sony")], 1):
        rows.append(
            (
                f"{user_id}-p{i}",
                Product(
                    queryId="q1",
                    userId=user_id,
                    title=title,
                    productUrl=f"https://shop.example/{i}",
                    price=150.0 + i,
                    source="catalog",
                    searchRank=i,
                    systemRank=i,
                    brand=brand,
                    color="black",
                    category="headphones",
                    createdAt=1,
                ),
            )
        )
    repo.write_products(rows)


def test_two_saves_of_one_brand_are_learned_within_seconds(stack: LocalStack, repo: Repository, make_user):
    alice = make_user()
    _products(repo, alice.uid)
    api = stack.url("functions")
    started = time.monotonic()
    for i in (1, 2):
        response = httpx.post(
            f"{api}/signals",
            headers=alice.headers,
            json={"type": "save", "itemId": f"{alice.uid}-p{i}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
    deadline = started + 10
    brands: list[str] = []
    while time.monotonic() < deadline:
        prefs = httpx.get(f"{api}/preferences", headers=alice.headers, timeout=10).json()["preferences"]
        brands = prefs["brands"]
        if "Sony" in brands:
            break
        time.sleep(0.25)
    assert "Sony" in brands, f"not learned within 10 s: {prefs}"
    # Learned from both saves (learnedThrough covers the newest signal).
    newest = max(s.timestamp for s in repo.list_signals(alice.uid, 0))
    deadline = time.monotonic() + 10
    while repo.get_preferences(alice.uid).learnedThrough < newest and time.monotonic() < deadline:
        time.sleep(0.25)
    assert repo.get_preferences(alice.uid).learnedThrough == newest
    # The trigger is released once the learner has started.
    trigger = repo.client.collection(LEARNING_TRIGGERS).document(alice.uid).get().to_dict()
    assert trigger["queuedAt"] == 0


def test_a_view_queues_no_learning(stack: LocalStack, repo: Repository, make_user):
    alice = make_user()
    _products(repo, alice.uid)
    response = httpx.post(
        f"{stack.url('functions')}/signals",
        headers=alice.headers,
        json={"type": "view", "itemId": f"{alice.uid}-p1"},
        timeout=10,
    )
    assert response.status_code == 201
    assert not repo.client.collection(LEARNING_TRIGGERS).document(alice.uid).get().exists


def test_debounce_publishes_once_while_a_run_is_queued(repo: Repository):
    assert repo.claim_learning_trigger("u1", 1_000, 30_000) is True
    assert repo.claim_learning_trigger("u1", 1_500, 30_000) is False  # queued, not yet picked up
    repo.release_learning_trigger("u1")  # the learner started
    assert repo.claim_learning_trigger("u1", 2_000, 30_000) is True
    assert repo.claim_learning_trigger("u1", 40_000, 30_000) is True  # a lost message stops blocking
