"""Chinese (Simplified and Traditional): rule-based recognizers, no NER.

No Chinese spaCy model is available as an offline package, and English NER is
useless on Chinese text, so every recognizer here is a pattern with a
checksum, a shape check or cue words. Entity names reuse the English ones
where the thing is the same (PERSON, PHONE_NUMBER, CREDIT_CARD,
STREET_ADDRESS, EMAIL_ADDRESS), so policies and placeholders stay uniform;
national IDs get their own types.
"""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import IbanRecognizer

from guardrail.pii.recognizers.zh.address import ChineseAddressRecognizer
from guardrail.pii.recognizers.zh.ids import (
    HongKongIdRecognizer,
    ResidentIdRecognizer,
    TaiwanIdRecognizer,
)
from guardrail.pii.recognizers.zh.names import ChineseNameRecognizer
from guardrail.pii.recognizers.zh.ner import ChineseNerRecognizer
from guardrail.pii.recognizers.zh.phone import ChinesePhoneRecognizer
from guardrail.pii.recognizers.zh.structured import (
    BankCardRecognizer,
    ChineseEmailRecognizer,
    ChineseWebAddressRecognizer,
    Ipv4Recognizer,
)

ID_ENTITIES = ("CN_RESIDENT_ID", "TW_NATIONAL_ID", "HK_ID_CARD")

ENTITIES = frozenset(
    {
        *ID_ENTITIES,
        "PERSON", "PHONE_NUMBER", "CREDIT_CARD", "STREET_ADDRESS", "EMAIL_ADDRESS",
        "URL", "IP_ADDRESS", "IBAN_CODE", "LOCATION",
    }
)


def chinese(
    *, ner: bool = True, cue_names: bool = True, regex_addresses: bool = False
) -> list[EntityRecognizer]:
    extra: list[EntityRecognizer] = []
    if ner:
        extra.append(ChineseNerRecognizer())
    if cue_names:
        extra.append(ChineseNameRecognizer(segmenter=not ner))
    if regex_addresses or not ner:
        extra.append(ChineseAddressRecognizer())
    return [
        ResidentIdRecognizer(),
        TaiwanIdRecognizer(),
        HongKongIdRecognizer(),
        ChinesePhoneRecognizer(),
        BankCardRecognizer(),
        ChineseEmailRecognizer(),
        ChineseWebAddressRecognizer(),
        Ipv4Recognizer(),
        IbanRecognizer(supported_language="zh"),
        *extra,
    ]
