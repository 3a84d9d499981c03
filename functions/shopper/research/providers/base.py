"""The protocol every product source implements.

A provider turns a `ParsedQuery` into `RawResult`s in its own order (position 1 first).
It raises `ProviderError` (or lets an HTTP/timeout error escape) when it cannot answer;
the aggregator turns that into a readable reason and keeps the other providers' results.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from shopper.research.types import ParsedQuery, RawResult


class ProviderError(Exception):
    """A provider could not answer; the message is shown to people (keep it readable)."""


@runtime_checkable
class Provider(Protocol):
    name: str

    async def search(self, query: ParsedQuery, limit: int) -> list[RawResult]: ...
