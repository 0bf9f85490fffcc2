"""Streams the proxy writes itself (hold, handoff, fallback, checked answers)
are shaped as OpenAI's: the usual `chunk.choices[0]` loop never meets an
empty `choices` unless the app asked for usage."""

from __future__ import annotations

import pytest

from guardrail.proxy.completions import assemble, text_completion, to_chunks
from guardrail.standin import Reply
from tests.proxy.test_guarded import RUDE
from tests.support.harness import MODEL, ProxyHarness


def _chunks(harness: ProxyHarness, content: str, **kwargs: object) -> tuple[dict[str, str], list]:
    with harness.client().chat.completions.with_streaming_response.create(
        model=MODEL, messages=[{"role": "user", "content": content}], stream=True, **kwargs
    ) as response:
        return dict(response.headers), list(response.parse())


def _assert_well_formed(chunks: list) -> None:
    assert chunks and all(chunk.choices for chunk in chunks)
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert chunks[-1].choices[0].finish_reason is not None
    assert chunks[-1].model_extra["guardrail"]["verdict"]


def test_handoff_stream(guarded: ProxyHarness) -> None:
    headers, chunks = _chunks(guarded, "I want to talk to a real person")
    assert headers["x-guardrail-verdict"] == "handoff"
    _assert_well_formed(chunks)


def test_holding_stream(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content=RUDE)
    headers, chunks = _chunks(guarded, "where is my parcel", extra_headers={"X-Guardrail-Hold-Mode": "async"})
    assert headers["x-guardrail-verdict"] == "hold"
    _assert_well_formed(chunks)
    assert chunks[-1].model_extra["guardrail"]["hold_id"] == headers["x-guardrail-hold-id"]


def test_fallback_stream(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content="What the f u c k happened to your parcel?")
    headers, chunks = _chunks(guarded, "where is it")
    assert headers["x-guardrail-verdict"] == "block"
    _assert_well_formed(chunks)


def test_usage_chunk_when_asked(guarded: ProxyHarness) -> None:
    _, chunks = _chunks(guarded, "I want to talk to a real person", stream_options={"include_usage": True})
    usage = chunks.pop()
    assert usage.choices == []
    # The proxy wrote this answer itself: no model tokens were used.
    assert (usage.usage.prompt_tokens, usage.usage.completion_tokens, usage.usage.total_tokens) == (0, 0, 0)
    _assert_well_formed(chunks)


def test_checked_answer_keeps_fingerprint_and_logprobs(guarded: ProxyHarness) -> None:
    # The stand-in echoes the question; the default set releases this echo.
    _, chunks = _chunks(guarded, "Do you sell lamps?", logprobs=True)
    _assert_well_formed(chunks)
    assert {c.system_fingerprint for c in chunks} == {"fp_standin"}
    tokens = [t.token for c in chunks if c.choices[0].logprobs for t in c.choices[0].logprobs.content or []]
    assert "".join(tokens).startswith("You said: Do you sell lamps?")
    plain = guarded.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Do you sell lamps?"}], logprobs=True
    )
    assert plain.choices[0].logprobs is not None and plain.system_fingerprint == "fp_standin"


@pytest.mark.parametrize("include_usage", [False, True])
def test_to_chunks_round_trips_through_assemble(include_usage: bool) -> None:
    completion = text_completion(MODEL, "x" * 150)
    completion["system_fingerprint"] = "fp_1"
    chunks = list(
        to_chunks(completion, include_usage=include_usage, final={"guardrail": {"verdict": "allow"}})
    )
    with_choices = [c for c in chunks if c["choices"]]
    assert len(with_choices) == len(chunks) - int(include_usage)
    assert all("finish_reason" in c["choices"][0] for c in with_choices)
    assert with_choices[-1]["guardrail"] == {"verdict": "allow"}
    folded = assemble(chunks)
    assert folded["choices"][0]["message"]["content"] == "x" * 150
    assert folded["system_fingerprint"] == "fp_1"
