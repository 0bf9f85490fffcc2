"""Test helpers for the review queue: a stand-in PII restorer and a hold maker."""

from __future__ import annotations

from guardrail.review import Hold, ReviewQueue
from guardrail.types import Finding, Severity, Span

PEOPLE = {"<PERSON_1>": "Alice Example", "<EMAIL_ADDRESS_1>": "alice@example.com"}


class FakeRestorer:
    def __init__(self, scope: str, conversation_id: str) -> None:
        self.scope = scope
        self.conversation_id = conversation_id

    def restore(self, text: str) -> str:
        for placeholder, value in PEOPLE.items():
            text = text.replace(placeholder, value)
        return text


class FakePii:
    """Stands in for PiiService.restorer_for; async like a Redis-backed vault."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def restorer_for(self, scope: str, conversation_id: str) -> FakeRestorer:
        self.calls.append((scope, conversation_id))
        return FakeRestorer(scope, conversation_id)


RUDE = Finding("tone.rude", "tone", Severity.HIGH, "The answer is rude.", Span(0, 7))
PROMISE = Finding("promise.refund", "promise", Severity.MEDIUM, "Promises a refund.")


async def park_answer(queue: ReviewQueue, **overrides: object) -> Hold:
    values: dict[str, object] = {
        "kind": "answer",
        "app": "shop",
        "conversation_id": "conv-1",
        "messages": [{"role": "user", "content": "I am <PERSON_1>, where is my order?"}],
        "answer": "Go away <PERSON_1>.",
        "findings": [RUDE],
        "suggestions": ["Thanks for asking, <PERSON_1>. Your order is on its way."],
        "policy_version": "pv-1",
        "fallback_text": "Sorry, a colleague will get back to you.",
        "deadline_seconds": 300,
    }
    values.update(overrides)
    return await queue.park(**values)  # type: ignore[arg-type]
