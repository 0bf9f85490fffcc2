"""Per-entity actions, thresholds, allow-lists, and policy validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from guardrail.pii import PiiAction, PiiPolicy, PiiService
from tests.pii.chat import user

TEXT = "I'm Sarah Connor, card 4111 1111 1111 1111, email sarah.connor@example.com"


def test_yaml_spellings():
    listed = PiiPolicy.model_validate({"entities": ["PERSON", "EMAIL_ADDRESS"]})
    assert listed.rule("PERSON").action is PiiAction.PSEUDONYMIZE
    mapped = PiiPolicy.model_validate(
        {"entities": {"CREDIT_CARD": "block", "PERSON": {"action": "redact", "threshold": 0.7}}}
    )
    assert mapped.rule("CREDIT_CARD").action is PiiAction.BLOCK
    assert mapped.rule("PERSON").threshold == 0.7
    assert PiiPolicy.model_validate({"entities": "default"}).enabled
    assert not PiiPolicy().enabled


@pytest.mark.parametrize(
    "data",
    [
        {"entities": ["PERSN"]},  # a typo must not silently switch a check off
        {"entities": {"PERSON": "mask"}},
        {"entities": {"PERSON": {"threshold": 2}}},
        {"entities": [], "unknown_field": 1},
        {"languages": ["xx"]},
    ],
)
def test_invalid_policies_are_rejected(data):
    with pytest.raises(ValidationError):
        PiiPolicy.model_validate(data)


async def test_block_names_the_type_and_still_hides_the_value(pii_service: PiiService):
    policy = PiiPolicy(entities={"PERSON": "pseudonymize", "CREDIT_CARD": "block"})
    protected = await pii_service.protect([user(TEXT)], scope="app", conversation_id=None, policy=policy)
    assert protected.blocked_entities == ("CREDIT_CARD",)
    assert "4111" not in protected.messages[0]["content"]


async def test_redact_is_one_way(pii_service: PiiService):
    policy = PiiPolicy(entities={"PERSON": "pseudonymize", "EMAIL_ADDRESS": "redact"})
    protected = await pii_service.protect([user(TEXT)], scope="app", conversation_id=None, policy=policy)
    content = protected.messages[0]["content"]
    assert "<REDACTED_EMAIL_ADDRESS>" in content and "sarah.connor@" not in content
    assert protected.blocked_entities == ()
    assert protected.restore(content).endswith("<REDACTED_EMAIL_ADDRESS>")
    assert "4111 1111 1111 1111" in content  # not in this policy: left alone


async def test_allow_list_terms_are_never_masked(pii_service: PiiService):
    policy = PiiPolicy(entities=["PERSON", "EMAIL_ADDRESS"], allow_list=["support@acme.com", "Acme Bank"])
    text = "Hi, I'm Sarah Connor. I wrote to Support@acme.com about Acme Bank."
    protected = await pii_service.protect([user(text)], scope="app", conversation_id=None, policy=policy)
    content = protected.messages[0]["content"]
    assert "Support@acme.com" in content and "Acme Bank" in content
    assert "Sarah Connor" not in content


async def test_threshold_filters_weak_matches(pii_service: PiiService):
    text = "Order reference 501808063603 arrived"  # a Luhn-valid 12-digit number
    weak = PiiPolicy(entities={"CREDIT_CARD": {"threshold": 0.2}})
    strict = PiiPolicy(entities={"CREDIT_CARD": {"threshold": 0.4}})
    low = await pii_service.protect([user(text)], scope="app", conversation_id=None, policy=weak)
    high = await pii_service.protect([user(text)], scope="app", conversation_id=None, policy=strict)
    assert "501808063603" not in low.messages[0]["content"]
    assert "501808063603" in high.messages[0]["content"]
