"""A fixed-window request counter shared by every instance, kept in Firestore.

One document per (key, window) in `rate_limits`; each request is a single write
that increments the counter atomically and reads the new value back from the
write result (no transaction, no read-modify-write race). `expiresAt` is a
timestamp for a Firestore TTL policy, so old windows delete themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

from google.cloud import firestore

from shopper.errors import RateLimited
from shopper.repository import RATE_LIMITS


@dataclass(frozen=True)
class Window:
    start_s: int
    end_s: int


def window_for(now_s: float, window_s: int) -> Window:
    start = int(now_s // window_s) * window_s
    return Window(start, start + window_s)


def counter_id(key: str, window: Window) -> str:
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}-{window.start_s}"


class RateLimiter:
    def __init__(self, client: firestore.Client, window_s: int = 60) -> None:
        self.client = client
        self.window_s = window_s

    def hit(self, key: str, now_s: float) -> int:
        """Count one request for `key` in the current window; returns the count including it."""
        window = window_for(now_s, self.window_s)
        ref = self.client.collection(RATE_LIMITS).document(counter_id(key, window))
        result = ref.set(
            {
                "count": firestore.Increment(1),
                "windowStart": window.start_s,
                "expiresAt": dt.datetime.fromtimestamp(window.end_s + self.window_s, tz=dt.UTC),
            },
            merge=True,
        )
        return int(result.transform_results[0].integer_value)

    def check(self, key: str, limit: int, now_s: float | None = None) -> None:
        """Raise RateLimited once `key` is over `limit` requests in this window."""
        now_s = time.time() if now_s is None else now_s
        if self.hit(key, now_s) > limit:
            raise RateLimited(window_for(now_s, self.window_s).end_s - now_s)
