"""Concurrent requests' texts analysed together, one batch per worker turn.

The NER model costs less per text in a batch than alone: its layers run one
matrix product over every token of the batch instead of one per text, and
the per-call overhead is paid once (eight 160-character messages took
3.3 ms each together against 5.3 ms one by one, bench/README.md). Under load
requests queue for the analysis thread anyway, so whoever is waiting when
the thread frees goes in together. Nobody waits for a timer or for company:
a request that finds the thread idle runs at once, alone, as before.

Each request gets back exactly its own texts' detections, by position;
batch mates share nothing else (detections are offsets and entity names,
never text). When a batch fails, each of its requests is analysed again on
its own, so a text that breaks a detector fails only the request it came in.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from guardrail.pii.detection import Detection
from guardrail.pii.errors import PiiUnavailable
from guardrail.pii.routing import Route

logger = logging.getLogger(__name__)

Results = list[tuple[Detection, ...]]
Analyse = Callable[[list[str], list[Route]], Results]

# A batch takes requests, oldest first, while their texts add up to no more
# than this (at least one request, however long): one turn of the thread
# stays short enough not to hold back the request behind it for long.
DEFAULT_BATCH_CHARS = 16_000


@dataclass
class _Job:
    texts: list[str]
    routes: list[Route]
    future: asyncio.Future[Results]

    @property
    def chars(self) -> int:
        return sum(len(text) for text in self.texts)


class AnalysisBatcher:
    """`await analyze(texts, routes)` runs `analyse` in `executor`, batched.

    At most `workers` batches run at once (the executor's thread count).
    """

    def __init__(
        self,
        analyse: Analyse,
        executor: Executor,
        *,
        workers: int = 1,
        max_chars: int = DEFAULT_BATCH_CHARS,
    ) -> None:
        self._analyse = analyse
        self._executor = executor
        self._workers = max(1, workers)
        self._max_chars = max_chars
        self._pending: deque[_Job] = deque()
        self._drains: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def analyze(self, texts: list[str], routes: list[Route]) -> Results:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # Jobs and drains of a loop that is gone can never complete.
            self._loop, self._pending, self._drains = loop, deque(), set()
        job = _Job(texts, routes, loop.create_future())
        self._pending.append(job)
        if len(self._drains) < self._workers:
            drain = loop.create_task(self._drain())
            self._drains.add(drain)
            drain.add_done_callback(self._drains.discard)
        # A caller that gives up (a deadline) cancels its future; the batch it
        # may already be in runs on and its result is dropped.
        return await job.future

    def cancel_pending(self) -> None:
        """Fail every request still waiting for a turn (at shutdown)."""
        while self._pending:
            job = self._pending.popleft()
            if not job.future.done():
                job.future.cancel()

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while batch := self._take():
            try:
                outcomes = await loop.run_in_executor(self._executor, self._run, batch)
            except asyncio.CancelledError:
                self._fail(batch, PiiUnavailable("analysis was cancelled"))
                raise
            except Exception as exc:  # the executor is shut down: nothing more will run
                self._fail([*batch, *self._pending], exc)
                self._pending.clear()
                return
            for job, outcome in zip(batch, outcomes, strict=True):
                if job.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    job.future.set_exception(outcome)
                else:
                    job.future.set_result(outcome)

    @staticmethod
    def _fail(jobs: list[_Job], exc: BaseException) -> None:
        for job in jobs:
            if not job.future.done():
                job.future.set_exception(exc)

    def _take(self) -> list[_Job]:
        batch: list[_Job] = []
        chars = 0
        while self._pending:
            job = self._pending[0]
            if job.future.done():  # its caller gave up while it waited
                self._pending.popleft()
                continue
            if batch and chars + job.chars > self._max_chars:
                break
            batch.append(self._pending.popleft())
            chars += job.chars
        return batch

    def _run(self, batch: list[_Job]) -> list[Results | Exception]:
        """In the worker thread: the whole batch at once, else one job at a time."""
        if len(batch) > 1:
            texts = [text for job in batch for text in job.texts]
            routes = [route for job in batch for route in job.routes]
            try:
                found = self._analyse(texts, routes)
            except Exception:
                logger.warning("batched analysis failed; analysing its %d requests one by one", len(batch))
            else:
                outcomes: list[Results | Exception] = []
                offset = 0
                for job in batch:
                    outcomes.append(found[offset : offset + len(job.texts)])
                    offset += len(job.texts)
                return outcomes
        outcomes = []
        for job in batch:
            try:
                outcomes.append(self._analyse(job.texts, job.routes))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes
