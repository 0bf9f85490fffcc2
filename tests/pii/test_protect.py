"""protect(): no seeded value survives, placeholders are stable and scoped."""

from __future__ import annotations

import asyncio
import copy
import json
import re

from guardrail.pii import PiiPolicy, PiiService
from tests.pii.chat import assistant, user

SEEDED = {
    "PERSON": "Sarah Connor",
    "EMAIL_ADDRESS": "sarah.connor@example.com",
    "PHONE_NUMBER": "(212) 555-0199",
    "CREDIT_CARD": "4111 1111 1111 1111",
    "IBAN_CODE": "GB82WEST12345698765432",
    "US_SSN": "536-22-8726",
    "IP_ADDRESS": "203.0.113.42",
    "STREET_ADDRESS": "12 Oak Street, Springfield, IL 62704",
}

TEXT = (
    "Hi, my name is Sarah Connor. Email sarah.connor@example.com or call (212) 555-0199. "
    "My card is 4111 1111 1111 1111, IBAN GB82WEST12345698765432, SSN 536-22-8726. "
    "I logged in from 203.0.113.42 and live at 12 Oak Street, Springfield, IL 62704.\n"
    "Thanks,\nSarah Connor"
)
PLACEHOLDER = re.compile(r"<([A-Z_]+)_(\d+)>")


def _all_text(messages: list[dict]) -> str:
    return json.dumps(messages, ensure_ascii=False)


async def test_seeded_values_never_reach_upstream(pii_service: PiiService, policy: PiiPolicy):
    messages = [
        {"role": "system", "content": "Customer on file: Sarah Connor, (212) 555-0199."},
        user(TEXT),
        {
            "role": "user",
            "content": [
                {"type": "text", "text": TEXT},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": f"record: {TEXT}"},
    ]
    protected = await pii_service.protect(messages, scope="app", conversation_id=None, policy=policy)
    upstream = _all_text(protected.messages)
    for entity, value in SEEDED.items():
        assert value not in upstream, entity
        assert value.replace(" ", "") not in upstream.replace(" ", ""), entity
    assert protected.messages[2]["content"][1] == messages[2]["content"][1]  # image part kept
    assert protected.restore(protected.messages[1]["content"]) == TEXT


async def test_input_is_not_mutated(pii_service: PiiService, policy: PiiPolicy):
    messages = [user(TEXT)]
    before = copy.deepcopy(messages)
    await pii_service.protect(messages, scope="app", conversation_id=None, policy=policy)
    assert messages == before


async def test_same_value_same_placeholder_every_turn_without_header(
    pii_service: PiiService, policy: PiiPolicy
):
    turn1 = [user("Hi, I'm Sarah Connor, email sarah.connor@example.com")]
    first = await pii_service.protect(turn1, scope="app", conversation_id=None, policy=policy)
    answer = first.restore("Thanks <PERSON_1>, I emailed <EMAIL_ADDRESS_1>.")
    turn2 = [*turn1, assistant(answer), user("Also my colleague John Smith, john@example.org")]
    second = await pii_service.protect(turn2, scope="app", conversation_id=None, policy=policy)
    assert second.conversation_id == first.conversation_id
    assert second.messages[0] == first.messages[0]
    assert second.messages[1]["content"] == "Thanks <PERSON_1>, I emailed <EMAIL_ADDRESS_1>."
    # New values continue the conversation's numbering instead of restarting it.
    assert "<PERSON_2>" in second.messages[2]["content"]
    assert "<EMAIL_ADDRESS_2>" in second.messages[2]["content"]
    assert second.restore("<PERSON_1> and <PERSON_2>") == "Sarah Connor and John Smith"


async def test_header_conversation_id_keeps_placeholders(pii_service: PiiService, policy):
    a = await pii_service.protect(
        [user("My email is a@example.com")], scope="app", conversation_id="c-1", policy=policy
    )
    # A later request of the same conversation may carry only its newest message.
    b = await pii_service.protect(
        [user("Write to b@example.com and a@example.com")],
        scope="app",
        conversation_id="c-1",
        policy=policy,
    )
    assert a.conversation_id == b.conversation_id
    assert b.messages[0]["content"] == "Write to <EMAIL_ADDRESS_2> and <EMAIL_ADDRESS_1>"
    assert "c-1" not in b.conversation_id  # our id is a keyed digest, not the header


async def test_scopes_and_conversations_never_mix(pii_service: PiiService, policy):
    one = await pii_service.protect(
        [user("I'm Sarah Connor")], scope="app-a", conversation_id="x", policy=policy
    )
    two = await pii_service.protect(
        [user("I'm John Smith")], scope="app-b", conversation_id="x", policy=policy
    )
    assert one.conversation_id != two.conversation_id
    assert one.restore("<PERSON_1>") == "Sarah Connor"
    assert two.restore("<PERSON_1>") == "John Smith"


async def test_different_values_never_share_a_placeholder(pii_service: PiiService, policy):
    protected = await pii_service.protect(
        [user("Emails: a@example.com, b@example.com, A@example.com")],
        scope="app",
        conversation_id=None,
        policy=policy,
    )
    assert protected.messages[0]["content"] == (
        "Emails: <EMAIL_ADDRESS_1>, <EMAIL_ADDRESS_2>, <EMAIL_ADDRESS_1>"
    )


async def test_concurrent_requests_agree_on_numbers(pii_service: PiiService, policy):
    emails = [f"user{i}@example.com" for i in range(8)]

    async def one(i: int):
        text = f"Contacts: {emails[i]} and {emails[(i + 1) % 8]}"
        return await pii_service.protect([user(text)], scope="app", conversation_id="race", policy=policy)

    results = await asyncio.gather(*(one(i) for i in range(8)))
    label_of: dict[str, str] = {}
    for i, protected in enumerate(results):
        labels = PLACEHOLDER.findall(protected.messages[0]["content"])
        for email, label in zip((emails[i], emails[(i + 1) % 8]), labels, strict=True):
            assert label_of.setdefault(email, label[1]) == label[1]
    assert sorted(label_of.values(), key=int) == [str(n) for n in range(1, 9)]


async def test_disabled_policy_passes_text_through(pii_service: PiiService):
    messages = [user(TEXT)]
    protected = await pii_service.protect(messages, scope="app", conversation_id=None, policy=PiiPolicy())
    assert protected.messages == messages
    assert protected.restore("<PERSON_1>") == "<PERSON_1>"


async def test_earlier_turns_hit_the_cache(pii_service: PiiService, policy, analyzer):
    turn = [user(TEXT)]
    await pii_service.protect(turn, scope="app", conversation_id=None, policy=policy)
    assert analyzer.cached_all([TEXT], "en") is not None
