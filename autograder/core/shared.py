"""Results an exercise's tests share, computed once, and computed ahead.

A grader asks ``student.run_once(probe, ...)`` for an expensive result several tests need (a
trained model, a rendered figure): :class:`SharedResults` computes it once per exercise and keeps
the outcome, a failure included. While earlier exercises are graded, it can send such requests
ahead (the graders' ``PREFETCH`` lists): the worker computes them on another core, and the replies
are read, in the order they were sent, when a test needs them or when nothing waits for them.
"""
from __future__ import annotations

import pytest

from autograder.core.session import WorkerSession


class SharedResults:
    def __init__(self, session: WorkerSession):
        self._session = session
        self._results: dict[tuple, tuple[str, object]] = {}  # key -> ("ok", value) or ("failed", the exception)
        self._pending: list[tuple] = []  # (key, label, worker generation, finish) sent, unread

    def known(self, key: tuple) -> bool:
        return key in self._results or any(k == key for k, *_ in self._live())

    def get(self, key: tuple, compute):
        """The result of ``key``: read if it was sent ahead, else ``compute()``d now, once."""
        __tracebackhide__ = True
        if any(k == key for k, *_ in self._live()):
            self.drain(until=key)
        if key not in self._results:
            try:
                self._results[key] = ("ok", compute())
            except pytest.fail.Exception as exc:
                self._results[key] = ("failed", exc)
        status, value = self._results[key]
        if status == "failed":  # the same one-line failure (and its named mistake) for every test that needs it
            raise value.with_traceback(None)
        return value

    def send_ahead(self, key: tuple, message: dict, label: str, finish=lambda result: result) -> None:
        """Ask for ``key`` now without waiting for it (quietly nothing where it cannot be sent);
        ``finish(result)`` is applied to the reply when it is read (as ``compute`` would have)."""
        if not self.known(key) and self._session.send(message, label, checked=False):
            self._pending.append((key, label, self._session.generation, finish))

    def all_answered(self) -> bool:
        """Read the replies that have arrived, without waiting; True when none is outstanding."""
        while self._live() and self._session.ready():
            self.drain(until=self._live()[0][0])
        return not self._live()

    def drain(self, until: tuple | None = None) -> None:
        """Read the replies to requests sent ahead, in the order they were sent (all of them, or up
        to ``until``). A request whose worker was stopped since is dropped: asked again later, it
        is computed afresh."""
        while self._pending:
            key, label, generation, finish = self._pending.pop(0)
            if generation != self._session.generation:
                continue
            try:
                self._results[key] = ("ok", finish(self._session.receive(label, probe=True)))
            except pytest.fail.Exception as exc:
                self._results[key] = ("failed", exc)
            if key == until:
                return

    def clear(self) -> None:
        self._results.clear()
        self._pending.clear()

    def _live(self) -> list[tuple]:
        self._pending = [p for p in self._pending if p[2] == self._session.generation]
        return self._pending
