"""A policy set that only allows or blocks streams sentence by sentence; a
failing sentence ends the stream with the fallback, and nothing after it leaks."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from guardrail.proxy.sentences import split_complete
from guardrail.standin import Reply
from tests.proxy.test_guarded import SARAH, SEEDED
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy


@pytest.fixture(scope="module")
def internal(redis_url: str) -> Iterator[ProxyHarness]:
    config = {"apps": [{"name": "internal", "policy_set": "minimal"}]}
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config=config) as harness:
        yield harness


def _stream(harness: ProxyHarness) -> tuple[list[str], dict]:
    stream = harness.client("internal").chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}], stream=True
    )
    pieces, guardrail = [], {}
    for chunk in stream:
        extra = chunk.model_extra or {}
        guardrail = extra.get("guardrail") or guardrail
        pieces += [c.delta.content for c in chunk.choices if c.delta.content]
    return pieces, guardrail


def test_split_complete() -> None:
    assert split_complete("One. Two! Thr") == ("One. Two! ", "Thr")
    assert split_complete("您好。请稍") == ("您好。", "请稍")
    assert split_complete("no end yet") == ("", "no end yet")


def test_clean_answer_streams_sentence_by_sentence_with_values_restored(internal: ProxyHarness) -> None:
    internal.provider.responder = lambda body: Reply(
        content="Thanks <PERSON_1>. Your order ships today. Anything else?", chunk_size=3
    )
    pieces, guardrail = _stream(internal)
    assert "".join(pieces) == f"Thanks {SARAH['name']}. Your order ships today. Anything else?"
    assert len(pieces) >= 3  # released per sentence, not as one blob
    assert guardrail["verdict"] == "allow"


def test_blocked_sentence_ends_the_stream_with_the_fallback(internal: ProxyHarness) -> None:
    internal.provider.responder = lambda body: Reply(
        content="Your parcel left today. What the f u c k is wrong with the courier. Secret tail.",
        chunk_size=4,
    )
    pieces, guardrail = _stream(internal)
    text = "".join(pieces)
    assert text.startswith("Your parcel left today.")
    assert "f u c k" not in text and "Secret tail" not in text
    assert "follow up with you" in text
    assert guardrail["verdict"] == "block"
    assert "minimal.profanity" in json.dumps(guardrail)
