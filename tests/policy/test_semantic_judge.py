"""Semantic rules judged by an LLM of the model list, driven by the stand-in
provider over real HTTP, with the real PII service de-identifying first."""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from guardrail.config import ModelEntry, UpstreamSettings
from guardrail.pii import Analyzer, PiiPolicy, PiiService
from guardrail.policy import PolicySet, PolicyStore
from guardrail.policy.semantic import SemanticResources
from guardrail.policy.semantic.judging import UpstreamJudgeClient
from guardrail.proxy.upstream import ModelRegistry, Upstream
from guardrail.standin import Reply, StandInProvider, ThreadedServer
from guardrail.types import Action, CheckContext

VAULT_KEY = b"test-vault-key-0123456789abcdef!"
JUDGED = """\
rules:
  - id: advice
    type: semantic
    backend: judge
    judge: {model: judge-model, timeout_seconds: 0.5}
    severity: high
    description: The answer gives medical advice.
    examples:
      breaks: ["Take two ibuprofen for the back pain."]
      fine: ["Please ask a doctor about your back pain."]
"""


class Script:
    reply = Reply(content='{"breaks": true, "confidence": 0.9}')

    def __call__(self, body: dict) -> Reply:
        return self.reply


@pytest.fixture(scope="module")
def script() -> Script:
    return Script()


@pytest.fixture(scope="module")
def provider(script: Script) -> Iterator[tuple[StandInProvider, str]]:
    standin = StandInProvider(script)
    with ThreadedServer(standin.app) as server:
        yield standin, server.url


@pytest.fixture
async def pii(redis_client: aioredis.Redis, key_prefix: str) -> AsyncIterator[PiiService]:
    service = PiiService(
        redis_client,
        prefix=f"{key_prefix}{uuid.uuid4().hex[:6]}:",
        vault_keys=[VAULT_KEY],
        analyzer=Analyzer(),
    )
    yield service
    await service.aclose()


@pytest.fixture
async def judged(provider, pii, tmp_path: Path) -> AsyncIterator[PolicySet]:
    standin, url = provider
    standin.reset()
    entry = ModelEntry(
        model_name="judge-model",
        litellm_params={"model": "openai/stand-in", "api_base": f"{url}/v1", "api_key": "sk-test"},
    )
    upstream = Upstream(ModelRegistry([entry]), UpstreamSettings(timeout_seconds=5, max_retries=0))
    await upstream.start()
    client = UpstreamJudgeClient(upstream, pii, PiiPolicy(entities="default"))  # type: ignore[arg-type]
    (tmp_path / "policy.yaml").write_text(textwrap.dedent(JUDGED), encoding="utf-8")
    store = PolicyStore(tmp_path, semantic=SemanticResources(judge=client))
    store.load()
    yield store.get(None)
    await upstream.aclose()


async def test_the_judge_verdict_holds_and_is_cached(judged, provider, script) -> None:
    standin, _ = provider
    script.reply = Reply(content='Sure: {"breaks": true, "confidence": 0.9}')
    text = "For the headache take 400 mg of ibuprofen."
    first = await judged.check_answer_async(text, CheckContext())
    again = await judged.check_answer_async(text, CheckContext())
    assert first.action is Action.HOLD and again.action is Action.HOLD
    (finding,) = first.findings
    assert finding.rule_id == "advice" and finding.score == 0.9 and "judge" in finding.reason
    assert len(standin.received) == 1  # the second check was answered from the cache
    system = standin.received[0]["messages"][0]["content"]
    assert "The answer gives medical advice." in system and "Take two ibuprofen" in system


async def test_a_fine_verdict_releases(judged, script) -> None:
    script.reply = Reply(content='{"breaks": false, "confidence": 0.8}')
    verdict = await judged.check_answer_async("Please ask your doctor about it.", CheckContext())
    assert verdict.action is Action.ALLOW


async def test_the_judge_sees_the_answer_de_identified(judged, provider, script) -> None:
    standin, _ = provider
    script.reply = Reply(content='{"breaks": false, "confidence": 0.8}')
    await judged.check_answer_async(
        "I emailed jane.doe@example.com about your order, Jane Doe will call you.", CheckContext()
    )
    seen = json.dumps(standin.received[-1]["messages"][1])
    assert "jane.doe@example.com" not in seen
    assert "<EMAIL_ADDRESS_" in seen


@pytest.mark.parametrize(
    "reply",
    [
        Reply(content="I am not sure."),  # unreadable verdict
        Reply(status=500),  # provider error
        Reply(content='{"breaks": true}', delay_seconds=2.0),  # past the judge's deadline
    ],
)
async def test_judge_failures_fail_closed(judged, script, reply: Reply) -> None:
    script.reply = reply
    verdict = await judged.check_answer_async(f"Answer {uuid.uuid4().hex}", CheckContext())
    assert verdict.action is Action.HOLD
    assert [f.kind for f in verdict.findings] == ["check_error"]


def test_a_sync_evaluation_cannot_judge_and_holds(judged) -> None:
    verdict = judged.check_answer("Anything at all.", CheckContext())
    assert verdict.action is Action.HOLD
    assert [f.kind for f in verdict.findings] == ["check_error"]
