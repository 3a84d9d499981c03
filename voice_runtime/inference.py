"""The process's CPU inference queue: Whisper decodes and Piper syntheses in one priority order.

Every session of a process shares one :class:`InferenceQueue` of ``width`` worker
threads (one per core, each running single-threaded inference: two decoders on
one thread each get more done on two cores than one decoder on both). Work waits
in priority order, so what a turn is waiting for goes first:

- ``FINAL``: a turn's final transcript, and the first piece of a reply's audio
  (the two halves of the silence a user hears);
- ``AHEAD``: the rest of a reply, synthesised while its first piece plays;
- ``SPECULATIVE``: a transcript guessed in the user's trailing silence, optional
  work that is not queued at all when no worker is free (a busy process then
  decodes each turn once, at the VAD stop), and cancelled by its session if the
  final is needed before it started.

Within one priority, first come first served.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

FINAL, AHEAD, SPECULATIVE = 0, 1, 2


class InferenceQueue:
    """``width`` inference workers over one priority heap (see the module docstring)."""

    def __init__(self, width: int = 1, name: str = "voice-inference") -> None:
        if width < 1:
            raise ValueError("an inference queue needs at least one worker")
        self.width = width
        self._name = name
        self._heap: list[tuple[int, int, Future[Any], Callable[[], Any]]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._running = 0
        self._threads: list[threading.Thread] = []
        self.declined = 0  # speculative work not queued because no worker was free

    def submit(self, work: Callable[[], Any], priority: int = FINAL) -> Future[Any] | None:
        """Queue `work`; None (nothing queued) for speculative work while every worker is taken."""
        with self._cond:
            if priority >= SPECULATIVE and (self._running + len(self._heap) >= self.width):
                self.declined += 1
                return None
            future: Future[Any] = Future()
            heapq.heappush(self._heap, (priority, next(self._seq), future, work))
            if len(self._threads) < self.width:
                thread = threading.Thread(
                    target=self._run, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            self._cond.notify()
        return future

    @property
    def depth(self) -> int:
        """Work running or waiting."""
        with self._cond:
            return len(self._heap) + self._running

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                _, _, future, work = heapq.heappop(self._heap)
                self._running += 1
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(work())
                    except BaseException as error:  # handed to the awaiting session
                        future.set_exception(error)
            finally:
                with self._cond:
                    self._running -= 1


_queues: dict[int, InferenceQueue] = {}
_queues_lock = threading.Lock()


def get_inference_queue(width: int = 1) -> InferenceQueue:
    """The process-wide queue of ``width`` workers (one per width, so tests can ask for another)."""
    with _queues_lock:
        if width not in _queues:
            _queues[width] = InferenceQueue(width)
        return _queues[width]
