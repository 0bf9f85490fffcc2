"""Overlapping detections become one placeholder; no character lost or doubled."""

from __future__ import annotations

from guardrail.pii import PiiPolicy, PiiService
from guardrail.pii.detection import Detection, resolve_overlaps
from tests.pii.chat import user


def test_contained_and_partial_overlaps_merge_into_one():
    email = Detection("EMAIL_ADDRESS", 12, 32, 0.9)
    url_in_email = Detection("URL", 21, 32, 0.5)
    phone = Detection("PHONE_NUMBER", 41, 53, 0.75)
    nhs_same_span = Detection("UK_NHS", 41, 53, 0.5)
    partial = Detection("US_SSN", 50, 56, 0.5)
    resolved = resolve_overlaps([url_in_email, phone, email, nhs_same_span, partial])
    assert resolved == [
        Detection("EMAIL_ADDRESS", 12, 32, 0.9),
        Detection("PHONE_NUMBER", 41, 56, 0.75),
    ]


async def test_litellm_garbling_example(pii_service: PiiService):
    # LiteLLM's Presidio guardrail turned this into
    # "Email me at <EMAIL_ADDRESS_3>call <UK_NHS_7>R_7>".
    text = "Email me at john.doe@example.com or call 212-555-0199"
    policy = PiiPolicy(entities=["EMAIL_ADDRESS", "URL", "PHONE_NUMBER", "UK_NHS", "US_SSN"])
    protected = await pii_service.protect([user(text)], scope="app", conversation_id=None, policy=policy)
    assert protected.messages[0]["content"] == ("Email me at <EMAIL_ADDRESS_1> or call <PHONE_NUMBER_1>")
    assert protected.restore(protected.messages[0]["content"]) == text


async def test_adjacent_entities_keep_every_separator(pii_service: PiiService, policy):
    text = "a@example.com,b@example.com;(212) 555-0199|203.0.113.9."
    protected = await pii_service.protect([user(text)], scope="app", conversation_id=None, policy=policy)
    assert protected.messages[0]["content"] == (
        "<EMAIL_ADDRESS_1>,<EMAIL_ADDRESS_2>;<PHONE_NUMBER_1>|<IP_ADDRESS_1>."
    )
    assert protected.restore(protected.messages[0]["content"]) == text
