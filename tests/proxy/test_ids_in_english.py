"""Chinese, Taiwan and Hong Kong ID numbers are personal data in any script."""

from __future__ import annotations

import pytest

from tests.support.harness import MODEL, ProxyHarness


@pytest.mark.parametrize(
    ("text", "value", "label"),
    [
        ("Hi, my HKID is A123456(3), please update it.", "A123456(3)", "<HK_ID_CARD_1>"),
        ("My Taiwan ID card number: A123456789.", "A123456789", "<TW_NATIONAL_ID_1>"),
        ("Resident ID 11010519491231002X for the invoice.", "11010519491231002X", "<CN_RESIDENT_ID_1>"),
    ],
)
def test_an_id_in_an_english_sentence_never_reaches_the_provider(
    guarded: ProxyHarness, text: str, value: str, label: str
) -> None:
    reply = guarded.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}]
    )
    sent = guarded.provider.texts_received()
    assert value not in sent
    assert label in sent
    assert value in (reply.choices[0].message.content or "")  # restored for the customer
