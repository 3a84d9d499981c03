"""Repository round trips on the real Firestore emulator, one block per collection."""

from __future__ import annotations

import pytest

from shopper.models import (
    ConversationLog,
    InteractionSignal,
    Product,
    Query,
    QueryPreferences,
    QueryStatus,
    SavedItem,
    SessionStatus,
    SignalType,
    Speaker,
    UserPreferences,
    VoiceSession,
)
from shopper.repository import Repository

pytestmark = pytest.mark.integration


def test_voice_sessions_round_trip_and_active_listing(repo: Repository) -> None:
    for i, status in enumerate([SessionStatus.active, SessionStatus.active, SessionStatus.completed]):
        repo.create_session(
            VoiceSession(sessionId=f"s{i}", userId="alice", startTime=1000 + i, status=status)
        )
    repo.create_session(VoiceSession(sessionId="other", userId="bob", startTime=5000))

    assert repo.get_session("s0") == VoiceSession(sessionId="s0", userId="alice", startTime=1000)
    active = repo.list_active_sessions("alice")
    assert [s.sessionId for s in active] == ["s1", "s0"]  # newest first, completed excluded

    ended = repo.end_session("s1", SessionStatus.completed, 9000)
    assert ended is not None and ended.status == SessionStatus.completed and ended.endTime == 9000
    again = repo.end_session("s1", SessionStatus.error, 9999)  # first end wins
    assert again is not None and again.status == SessionStatus.completed and again.endTime == 9000
    assert repo.end_session("missing", SessionStatus.completed, 1) is None
    assert [s.sessionId for s in repo.list_active_sessions("alice")] == ["s0"]


def test_conversation_logs_come_back_in_order_for_the_session_only(repo: Repository) -> None:
    for ts, speaker, text in [
        (3, Speaker.agent, "third"),
        (1, Speaker.user, "first"),
        (2, Speaker.system, "2nd"),
    ]:
        repo.add_log(
            ConversationLog(sessionId="s1", userId="alice", speaker=speaker, text=text, timestamp=ts)
        )
    repo.add_log(ConversationLog(sessionId="s2", userId="alice", speaker=Speaker.user, text="x", timestamp=0))
    logs = repo.list_logs("s1", "alice")
    assert [log.text for log in logs] == ["first", "2nd", "third"]
    assert repo.list_logs("s1", "bob") == []


def test_saved_items_newest_first_with_limit_and_dedupe(repo: Repository) -> None:
    ids = []
    for i in range(5):
        item = SavedItem(
            userId="alice", sessionId="s1", productId=f"p{i}", productName=f"Item {i}", savedAt=100 + i
        )
        item_id, created = repo.save_item(item)
        assert created
        ids.append(item_id)
    # The same product in the same session is one document.
    again_id, created = repo.save_item(
        SavedItem(userId="alice", sessionId="s1", productId="p0", productName="Item 0", savedAt=999)
    )
    assert again_id == ids[0] and not created
    repo.save_item(SavedItem(userId="bob", productId="p0", productName="Bob's", savedAt=500))

    listed = repo.list_saved_items("alice", limit=3)
    assert [item.productId for _, item in listed] == ["p4", "p3", "p2"]
    assert repo.get_saved_item(ids[4]).productName == "Item 4"
    repo.delete_saved_item(ids[4])
    assert repo.get_saved_item(ids[4]) is None
    assert len(repo.list_saved_items("alice", limit=50)) == 4


def test_queries_claim_and_listing(repo: Repository) -> None:
    query = Query(
        userId="alice",
        searchText="bluetooth speaker",
        preferences=QueryPreferences(maxPrice=50),
        createdAt=10,
        updatedAt=10,
    )
    qid = repo.create_query(query)
    repo.create_query(query.model_copy(update={"createdAt": 20, "updatedAt": 20}), query_id="later")
    assert repo.get_query(qid) == query

    claimed = repo.claim_query(qid, now=100, stale_after_ms=1000)
    assert claimed is not None and claimed.status == QueryStatus.searching
    assert repo.claim_query(qid, now=200, stale_after_ms=1000) is None  # another run owns it
    assert repo.claim_query(qid, now=2000, stale_after_ms=1000) is not None  # stale: re-claimable
    repo.update_query(qid, status=QueryStatus.completed, updatedAt=3000)
    assert repo.claim_query(qid, now=99999, stale_after_ms=1) is None  # done stays done
    assert [q_id for q_id, _ in repo.list_queries("alice")] == ["later", qid]


def test_products_by_query_in_system_rank_order(repo: Repository) -> None:
    def product(rank: int, user: str = "alice", query: str = "q1") -> Product:
        return Product(
            queryId=query,
            userId=user,
            title=f"Speaker {rank}",
            productUrl=f"https://shop.example/p/{rank}",
            price=10.0 * rank,
            source="catalog",
            searchRank=rank,
            systemRank=4 - rank,
            createdAt=1,
        )

    repo.write_products([(f"q1_{r}", product(r)) for r in (1, 2, 3)])
    repo.write_products([("q1_1", product(1))])  # a rewrite does not duplicate
    repo.write_products([("q2_1", product(1, query="q2")), ("bobs", product(1, user="bob"))])
    listed = repo.list_products("q1", "alice")
    assert [p.systemRank for _, p in listed] == [1, 2, 3]
    assert [p_id for p_id, _ in listed] == ["q1_3", "q1_2", "q1_1"]
    assert repo.get_product("q1_2").price == 20.0


def test_preferences_round_trip(repo: Repository) -> None:
    assert repo.get_preferences("alice") is None
    prefs = UserPreferences(
        userId="alice", brands=["Sony"], colors=["black"], lastUpdated=5, manualFields=["brands"]
    )
    repo.put_preferences(prefs)
    assert repo.get_preferences("alice") == prefs


def test_signals_of_the_last_days_and_each_users_newest_signal(repo: Repository) -> None:
    for ts, user in [(100, "alice"), (200, "alice"), (300, "alice"), (250, "bob"), (50, "carol")]:
        repo.add_signal(InteractionSignal(userId=user, type=SignalType.click, itemId="p", timestamp=ts))
    assert [s.timestamp for s in repo.list_signals("alice", since_ms=150)] == [200, 300]
    assert repo.newest_signal_by_user(150) == {"alice": 300, "bob": 250}
