"""One message must not freeze the proxy: texts over the limits are refused
(413) or, for answers, held; detectors see bounded pieces; slow checks hold."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from guardrail.standin import Reply
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

LIMITS = {"max_message_chars": 4_000, "max_request_chars": 10_000}


@pytest.fixture(scope="module")
def limited(redis_url: str) -> Iterator[ProxyHarness]:
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config=LIMITS) as harness:
        yield harness


@pytest.fixture(autouse=True)
def _reset(limited: ProxyHarness) -> Iterator[None]:
    yield
    limited.provider.responder = lambda body: Reply(content="Happy to help.")
    limited.provider.reset()


def _status_error(harness: ProxyHarness, messages: list[dict]) -> openai.APIStatusError:
    with pytest.raises(openai.APIStatusError) as caught:
        harness.client().chat.completions.create(model=MODEL, messages=messages)
    return caught.value


def test_a_message_over_the_limit_is_refused_before_anything_is_sent(limited: ProxyHarness) -> None:
    error = _status_error(limited, [{"role": "user", "content": "$" * 4_001}])
    assert error.status_code == 413
    body = error.response.json()["error"]
    assert body["code"] == "text_too_large" and body["type"] == "invalid_request_error"
    assert "4000" in body["message"]
    assert limited.provider.received == []


def test_a_request_over_the_total_limit_is_refused(limited: ProxyHarness) -> None:
    messages = [{"role": "user", "content": "x " * 1_900} for _ in range(3)]  # 3 x 3,800
    error = _status_error(limited, messages)
    assert error.status_code == 413
    assert error.response.json()["error"]["code"] == "text_too_large"
    assert limited.provider.received == []


def test_pathological_text_within_the_limits_is_still_protected(limited: ProxyHarness) -> None:
    # Punctuation runs, spaced digits and a spaced-out word around a card
    # number: the card is masked wherever the windows fall.
    text = "$" * 1_500 + " card 4111 1111 1111 1111 " + "1 " * 700 + "talk to" + " " * 450 + "x"
    limited.client().chat.completions.create(model=MODEL, messages=[{"role": "user", "content": text}])
    sent = limited.provider.texts_received()
    assert "4111 1111 1111 1111" not in sent
    assert "<CREDIT_CARD_1>" in sent


def test_an_answer_over_the_limit_is_held_not_released(limited: ProxyHarness) -> None:
    long_answer = "Thanks for waiting. " * 300  # 6,000 characters
    limited.provider.responder = lambda body: Reply(content=long_answer)
    raw = limited.client().chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Where is my parcel?"}],
        extra_headers={"X-Guardrail-Hold-Mode": "async"},
    )
    assert raw.headers["x-guardrail-verdict"] == "hold"
    assert long_answer not in raw.text
    assert "answer-analysis" in json.loads(raw.text)["guardrail"]["rule_ids"]


def test_checks_that_pass_their_deadline_hold_the_answer(redis_url: str, tmp_path) -> None:
    """An LLM judge that never answers in time: the answer is held, recorded
    as a failed check, and the proxy does not wait for the judge."""
    (tmp_path / "judge.yaml").write_text(
        "rules:\n"
        "  - id: slow-judge\n"
        "    type: llm_judge\n"
        "    enabled: true\n"
        f"    model: {MODEL}\n"
        "    rubric: Be kind.\n"
        "    timeout_seconds: 30\n"
    )

    def slow_judge(body: dict) -> Reply:
        if "Rubric" in json.dumps(body):
            return Reply(content='{"pass": true}', delay_seconds=5)
        return Reply(content="Happy to help.")

    config = {"check_deadline_seconds": 0.5}
    with running_proxy(redis_url, policies_dir=tmp_path, config=config) as harness:
        harness.provider.responder = slow_judge
        raw = harness.client().chat.completions.with_raw_response.create(
            model=MODEL,
            messages=[{"role": "user", "content": "hello"}],
            extra_headers={"X-Guardrail-Hold-Mode": "async"},
        )
        assert raw.headers["x-guardrail-verdict"] == "hold"
        assert "Happy to help." not in raw.text
        assert json.loads(raw.text)["guardrail"]["rule_ids"] == ["check-deadline"]
