"""Test helpers for the review queue: a seeded conversation in the real PII vault, and a hold maker."""

from __future__ import annotations

from guardrail.pii import PiiPolicy, PiiService
from guardrail.review import Hold, ReviewQueue
from guardrail.types import Finding, Severity, Span

VAULT_KEY = b"review-tests-vault-key-0123456789abcdef"
ALICE = [{"role": "user", "content": "I am Alice Example, where is my order? alice@example.com"}]


async def seed_alice(pii: PiiService) -> str:
    """Alice's conversation through the real PII service: <PERSON_1> is her
    name in the vault. Returns the conversation id holds must carry."""
    protected = await pii.protect(ALICE, scope="shop", conversation_id="conv-1", policy=PiiPolicy.default())
    if protected.messages[0]["content"] != "I am <PERSON_1>, where is my order? <EMAIL_ADDRESS_1>":
        raise AssertionError("unexpected de-identification of the seed conversation")
    return protected.conversation_id


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
        # What Alice's request was issued (seed_alice): all a release may restore.
        "labels": ["PERSON_1", "EMAIL_ADDRESS_1"],
    }
    values.update(overrides)
    return await queue.park(**values)  # type: ignore[arg-type]
