"""Re-runs and stuck queries on the emulators: a re-run replaces the earlier products, and
the stale sweep re-enqueues a stuck query once (through the real Cloud Tasks emulator)
and fails it after a second stale period."""

from __future__ import annotations

import pytest

from shopper.models import Product, Query, QueryStatus, now_ms
from shopper.repository import Repository
from shopper.research.providers.catalog import CatalogProvider
from shopper.research.service import (
    STALE_ERROR,
    product_id,
    recover_if_stale,
    run_research,
    sweep_stale_queries,
)
from shopper.settings import get_settings
from tests.integration.test_research_flow import new_query, wait_done

pytestmark = pytest.mark.integration


def product(query_id: str, user: str, url: str, rank: int) -> tuple[str, Product]:
    return product_id(query_id, url), Product(
        queryId=query_id, userId=user, title=f"Old result {rank}", productUrl=url, price=9.5,
        source="Icecat", searchRank=rank, systemRank=rank, createdAt=now_ms(),
    )  # fmt: skip


def stale_ms(periods: float) -> int:
    return now_ms() - int(periods * get_settings().research_stale_after_s * 1000)


# ------------------------------------------------------------------ replace_products


def test_replace_products_writes_the_new_set_and_deletes_only_that_querys_others(repo: Repository) -> None:
    first = [product("q1", "u1", f"https://shop.example/p/{i}", i) for i in range(1, 4)]
    other_user = product("q1", "u2", "https://shop.example/p/9", 1)
    other_query = product("q2", "u1", "https://shop.example/p/1", 1)
    repo.write_products([*first, other_user, other_query])

    second = [first[1], product("q1", "u1", "https://shop.example/p/7", 2)]
    assert repo.replace_products("q1", "u1", second) == 2
    assert [pid for pid, _ in repo.list_products("q1", "u1")] == [second[0][0], second[1][0]]
    assert repo.get_product(other_user[0]) is not None
    assert repo.get_product(other_query[0]) is not None
    assert repo.replace_products("q1", "u1", second) == 0  # idempotent


def test_a_rerun_leaves_no_product_of_the_earlier_run(repo: Repository) -> None:
    query_id = new_query(repo, "u1", "usb hub", status=QueryStatus.searching, updatedAt=stale_ms(1.2))
    earlier = [product(query_id, "u1", f"https://old.example/p/{i}", i) for i in range(1, 30)]
    repo.write_products(earlier)  # a first run stored these, then died before `completed`

    result = run_research(query_id, repo, [CatalogProvider("icecat")])
    assert result.status == "completed"
    stored = repo.list_products(query_id, "u1", limit=100)
    assert len(stored) == result.products > 0
    assert not {pid for pid, _ in earlier} & {pid for pid, _ in stored}
    assert all("hub" in p.title.lower() for _, p in stored[:3])


def test_a_failed_rerun_clears_the_earlier_products(repo: Repository) -> None:
    query_id = new_query(repo, "u1", "usb hub", status=QueryStatus.searching, updatedAt=stale_ms(1.2))
    repo.write_products([product(query_id, "u1", "https://old.example/p/1", 1)])
    result = run_research(query_id, repo, [])
    assert result.status == "failed" and repo.get_query(query_id).status == QueryStatus.failed
    assert repo.list_products(query_id, "u1") == []


# ------------------------------------------------------------------ stale queries


def test_sweep_requeues_a_stuck_query_once_and_the_worker_completes_it(stack, repo: Repository) -> None:
    stuck = new_query(repo, "u1", "usb hub", status=QueryStatus.searching, createdAt=stale_ms(1.5),
                      updatedAt=stale_ms(1.2))  # fmt: skip
    lost = new_query(repo, "u1", "wireless mouse", createdAt=stale_ms(1.5), updatedAt=stale_ms(1.2))
    fresh = new_query(repo, "u1", "radio", status=QueryStatus.searching)
    done = new_query(repo, "u1", "radio", status=QueryStatus.completed, createdAt=stale_ms(5),
                     updatedAt=stale_ms(5))  # fmt: skip

    assert sweep_stale_queries(repo, now_ms()) == 2
    for query_id in (stuck, lost):
        query = wait_done(repo, query_id)  # the retry task ran through the Cloud Tasks emulator
        assert query.status == QueryStatus.completed, query.error
        assert repo.list_products(query_id, "u1")
    assert repo.get_query(fresh).status == QueryStatus.searching
    assert repo.get_query(done).status == QueryStatus.completed
    assert sweep_stale_queries(repo, now_ms()) == 0


def test_a_query_stuck_past_two_stale_periods_fails_with_a_reason(repo: Repository) -> None:
    enqueued: list[str] = []

    def enqueue(query_id: str, settings, task_id: str | None = None) -> bool:
        enqueued.append(query_id)
        return True

    old = new_query(repo, "u1", "tv", status=QueryStatus.searching, createdAt=stale_ms(2.5),
                    updatedAt=stale_ms(1.2))  # fmt: skip
    repo.write_products([product(old, "u1", "https://old.example/p/1", 1)])
    forgotten = new_query(repo, "u1", "tv", createdAt=stale_ms(30), updatedAt=stale_ms(30))

    assert sweep_stale_queries(repo, now_ms(), enqueue=enqueue) == 2
    assert enqueued == []
    for query_id in (old, forgotten):
        query = repo.get_query(query_id)
        assert query.status == QueryStatus.failed and query.error == STALE_ERROR
    assert repo.list_products(old, "u1") == []


def test_recover_if_stale_acts_on_one_query_and_never_on_a_moving_one(repo: Repository) -> None:
    calls: list[tuple[str, str | None]] = []

    def enqueue(query_id: str, settings, task_id: str | None = None) -> bool:
        calls.append((query_id, task_id))
        return True

    moving = new_query(repo, "u1", "tv", status=QueryStatus.searching)
    assert recover_if_stale(repo, moving, now_ms(), enqueue=enqueue) is None
    assert recover_if_stale(repo, "missing", now_ms(), enqueue=enqueue) is None

    stuck = new_query(repo, "u1", "tv", status=QueryStatus.searching, createdAt=stale_ms(1.5),
                      updatedAt=stale_ms(1.2))  # fmt: skip
    assert recover_if_stale(repo, stuck, now_ms(), enqueue=enqueue) == "requeue"
    assert calls == [(stuck, f"{stuck}-retry")]
    assert repo.get_query(stuck).status == QueryStatus.pending
    assert recover_if_stale(repo, stuck, now_ms(), enqueue=enqueue) is None  # just requeued: fresh again


def test_transition_is_a_compare_and_set(repo: Repository) -> None:
    query_id = new_query(repo, "u1", "tv", status=QueryStatus.searching)
    query: Query = repo.get_query(query_id)
    assert (
        repo.transition_query(query_id, QueryStatus.searching, query.updatedAt + 1, status=QueryStatus.failed)
        is False
    )
    assert (
        repo.transition_query(query_id, QueryStatus.pending, query.updatedAt, status=QueryStatus.failed)
        is False
    )
    assert repo.transition_query(query_id, QueryStatus.searching, query.updatedAt, status=QueryStatus.failed)
    assert repo.get_query(query_id).status == QueryStatus.failed
