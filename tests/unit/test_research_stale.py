"""The stale-query rule as a pure function."""

from __future__ import annotations

import pytest

from shopper.models import Query, QueryStatus
from shopper.research.service import stale_action

STALE_MS = 120_000
NOW = 10_000_000


def query(status: QueryStatus, created_ago: int, updated_ago: int) -> Query:
    return Query(
        userId="u", searchText="tv", status=status, createdAt=NOW - created_ago, updatedAt=NOW - updated_ago
    )


@pytest.mark.parametrize(
    ("status", "created_ago", "updated_ago", "action"),
    [
        (QueryStatus.searching, 10_000, 10_000, None),  # recent
        (QueryStatus.searching, STALE_MS, STALE_MS, None),  # exactly one period: not yet
        (QueryStatus.searching, 150_000, 130_000, "requeue"),
        (QueryStatus.pending, 150_000, 130_000, "requeue"),  # its task was lost
        (QueryStatus.pending, 250_000, 130_000, "fail"),  # already had its second chance
        (QueryStatus.searching, 3_600_000, 3_600_000, "fail"),
        (QueryStatus.completed, 3_600_000, 3_600_000, None),
        (QueryStatus.failed, 3_600_000, 3_600_000, None),
    ],
)
def test_stale_action(status: QueryStatus, created_ago: int, updated_ago: int, action: str | None) -> None:
    assert stale_action(query(status, created_ago, updated_ago), NOW, STALE_MS) == action
