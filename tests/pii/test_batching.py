"""Requests waiting for the analysis thread are analysed in one batch, each
getting back its own texts' detections, and none failing for another's text."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis.asyncio as aioredis

from guardrail.pii import Analyzer, PiiPolicy, PiiService
from guardrail.pii.batching import AnalysisBatcher
from guardrail.pii.detection import Detection
from guardrail.pii.routing import Route
from tests.pii.chat import user
from tests.pii.conftest import VAULT_KEY

EN: Route = ("en",)


class RecordingAnalysis:
    """Finds one PERSON per text (its whole length) and records each call's
    texts; the first call waits for `release`, so others queue behind it."""

    def __init__(self, *, poison: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self._poison = poison

    def __call__(self, texts: list[str], routes: list[Route]) -> list[tuple[Detection, ...]]:
        assert len(texts) == len(routes)
        self.calls.append(list(texts))
        self.started.set()
        self.release.wait(5)
        if self._poison in texts:
            raise ValueError("this detector cannot read that")
        return [(Detection("PERSON", 0, len(text), 0.9),) for text in texts]


@pytest.fixture
def executor():
    pool = ThreadPoolExecutor(max_workers=1)
    yield pool
    pool.shutdown(wait=True)


async def _queued_behind_first(batcher: AnalysisBatcher, analysis: RecordingAnalysis, jobs: list[list[str]]):
    """Start the first job, queue the rest while it runs, then let it finish."""
    first = asyncio.ensure_future(batcher.analyze(jobs[0], [EN] * len(jobs[0])))
    await asyncio.to_thread(analysis.started.wait, 5)
    rest = [asyncio.ensure_future(batcher.analyze(texts, [EN] * len(texts))) for texts in jobs[1:]]
    await asyncio.sleep(0)
    analysis.release.set()
    return await asyncio.gather(first, *rest, return_exceptions=True)


async def test_requests_waiting_for_the_thread_run_as_one_batch(executor):
    analysis = RecordingAnalysis()
    batcher = AnalysisBatcher(analysis, executor)
    jobs = [["first"], ["a", "bb"], ["ccc"], ["dddd", "eeeee", "ffffff"]]
    results = await _queued_behind_first(batcher, analysis, jobs)
    # The first ran alone, at once; the three that waited went in together.
    assert analysis.calls == [["first"], ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"]]
    for texts, found in zip(jobs, results, strict=True):
        assert [d[0].end for d in found] == [len(text) for text in texts]


async def test_a_batch_is_bounded_by_its_characters(executor):
    analysis = RecordingAnalysis()
    batcher = AnalysisBatcher(analysis, executor, max_chars=10)
    jobs = [["first"], ["x" * 6], ["y" * 3], ["z" * 4], ["w" * 30]]
    results = await _queued_behind_first(batcher, analysis, jobs)
    assert analysis.calls == [["first"], ["x" * 6, "y" * 3], ["z" * 4], ["w" * 30]]
    assert [found[0][0].end for found in results] == [5, 6, 3, 4, 30]


async def test_a_text_that_breaks_the_batch_fails_only_its_own_request(executor):
    analysis = RecordingAnalysis(poison="unreadable")
    batcher = AnalysisBatcher(analysis, executor)
    jobs = [["first"], ["fine"], ["unreadable", "and more"], ["also fine"]]
    results = await _queued_behind_first(batcher, analysis, jobs)
    assert isinstance(results[2], ValueError)
    assert [r[0][0].end for i, r in enumerate(results) if i != 2] == [5, 4, 9]
    # The batch was tried once, then each of its requests alone.
    assert analysis.calls[1:] == [
        ["fine", "unreadable", "and more", "also fine"],
        ["fine"],
        ["unreadable", "and more"],
        ["also fine"],
    ]


async def test_a_caller_that_gave_up_is_left_out_and_the_others_are_served(executor):
    analysis = RecordingAnalysis()
    batcher = AnalysisBatcher(analysis, executor)
    first = asyncio.ensure_future(batcher.analyze(["first"], [EN]))
    await asyncio.to_thread(analysis.started.wait, 5)
    impatient = asyncio.ensure_future(asyncio.wait_for(batcher.analyze(["gone"], [EN]), 0.01))
    patient = asyncio.ensure_future(batcher.analyze(["stays"], [EN]))
    with pytest.raises(TimeoutError):
        await impatient
    analysis.release.set()
    assert (await first)[0][0].end == 5
    assert (await patient)[0][0].end == 5
    assert analysis.calls == [["first"], ["stays"]]


async def test_a_shut_down_executor_fails_the_waiting_requests(executor):
    batcher = AnalysisBatcher(RecordingAnalysis(), executor)
    executor.shutdown(wait=True)
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(batcher.analyze(["late"], [EN]), 5)


class CountingAnalyzer(Analyzer):
    """The real analyzer, with no cache, recording how many texts each call held."""

    def __init__(self) -> None:
        super().__init__(cache_size=0)
        self.batch_sizes: list[int] = []

    def analyze(self, texts: list[str], language: str) -> list[tuple[Detection, ...]]:
        if language == "en":
            self.batch_sizes.append(len(texts))
        return super().analyze(texts, language)


async def test_concurrent_requests_get_what_each_would_get_alone(
    redis_client: aioredis.Redis, pii_prefix: str, policy: PiiPolicy
):
    """Through the real analyzer: the same placeholders and restored text
    whether a message is de-identified alone or while others wait."""
    messages = [
        "Hi, I'm Agnieszka Kowalczyk, call me on +48 512 345 678.",
        "My email is jun.tanaka@example.jp and I live at 4-2-8 Shibakoen, Minato-ku, Tokyo 105-0011.",
        "Please send the refund to Oluwaseun Adeyemi, IBAN GB82WEST12345698765432.",
        "szabina gelencsér listed her top 20 songs; reach her at 06 30 123 4567",
        "Ship to 28245 Puruntie 82 Apt. 595\nLAPPEENRANTA\n53650",
        "我叫王小明，电话13812345678，地址是北京市朝阳区建国路88号3栋2单元501室。",
        "The order BH-0001234 has not arrived; my name is Mateo García López.",
        "Size M is in stock in navy. Sunny, 21C.",
    ]
    analyzer = CountingAnalyzer()
    service = PiiService(redis_client, prefix=pii_prefix, vault_keys=[VAULT_KEY], analyzer=analyzer)
    try:
        together = await asyncio.gather(
            *(
                service.protect([user(text)], scope="app", conversation_id=f"together-{i}", policy=policy)
                for i, text in enumerate(messages)
            )
        )
        assert max(analyzer.batch_sizes) > 1, analyzer.batch_sizes  # some did wait together
        analyzer.batch_sizes.clear()
        alone = []
        for i, text in enumerate(messages):
            protected = await service.protect(
                [user(text)], scope="app", conversation_id=f"alone-{i}", policy=policy
            )
            alone.append(protected.messages[0]["content"])
        assert set(analyzer.batch_sizes) == {1}  # one at a time: nobody waited
    finally:
        await service.aclose()
    assert [p.messages[0]["content"] for p in together] == alone
    assert alone[0] != messages[0]  # something was found to compare
    for protected, text in zip(together, messages, strict=True):
        assert protected.restore(protected.messages[0]["content"]) == text
