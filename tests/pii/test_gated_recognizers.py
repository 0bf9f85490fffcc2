"""The triggers in front of Presidio's pattern recognizers only skip texts on
which the recognizer itself would find nothing: same results as Presidio's."""

from __future__ import annotations

import pytest
from presidio_analyzer.predefined_recognizers import (
    CryptoRecognizer,
    IbanRecognizer,
    IpRecognizer,
    UkNinoRecognizer,
    UsItinRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)

from guardrail.pii.recognizers.en.gated import (
    GatedCryptoRecognizer,
    GatedIbanRecognizer,
    GatedIpRecognizer,
    GatedUkNinoRecognizer,
    GatedUsItinRecognizer,
    GatedUsPassportRecognizer,
    GatedUsSsnRecognizer,
)

PAIRS = [
    (GatedIbanRecognizer, IbanRecognizer),
    (GatedIpRecognizer, IpRecognizer),
    (GatedUsSsnRecognizer, UsSsnRecognizer),
    (GatedUsItinRecognizer, UsItinRecognizer),
    (GatedUsPassportRecognizer, UsPassportRecognizer),
    (GatedUkNinoRecognizer, UkNinoRecognizer),
    (GatedCryptoRecognizer, CryptoRecognizer),
]

SAMPLES = [
    "Please refund to GB82 WEST 1234 5698 7654 32, thanks",
    "IBAN DE89370400440532013000 2 days from today",
    "my ip is 192.168.0.1 and the v6 one 2001:db8::8a2e:370:7334, also ::1 and ::",
    "full form 2001:0db8:0000:0000:0000:ff00:0042:8329 and ::ffff:10.0.0.1",
    "fe80::1%eth0/64 plus 64:ff9b::192.0.2.33",
    "SSN 078-05-1120 or 123 45 6789 or 536-22-1234, 53622-1234, 536-221234, 536221234",
    "ITIN 912-70-1234, 912 70 1234, 912701234, 912-701234",
    "passport 912345678 and A12345678, a12345678",
    "NI number QQ 12 34 56 C, AB123456D, ab 12 34 56 d",
    "wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT or bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy and 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "Order BH-0000001 costs $12.99; call at 10:30 on 2024-06-11, version 3.2.1",
    "No numbers here at all, just a polite note: thanks!",
]


def _texts() -> list[str]:
    from bench.pii_data import SPLITS, generate

    texts = list(SAMPLES)
    for split in SPLITS:
        texts += [s.text for s in generate(150, split=split)]
    return texts


def _key(results):
    return sorted((r.entity_type, r.start, r.end, round(r.score, 6)) for r in results)


@pytest.mark.parametrize(("gated", "original"), PAIRS, ids=[o.__name__ for _, o in PAIRS])
def test_gated_recognizer_finds_what_presidio_finds(gated, original):
    ours, theirs = gated(), original(supported_language="en")
    assert ours.name == theirs.name
    found = 0
    for text in _texts():
        expected = _key(theirs.analyze(text, theirs.supported_entities))
        assert _key(ours.analyze(text, ours.supported_entities)) == expected, text
        found += bool(expected)
    assert found  # the texts exercise the recognizer
