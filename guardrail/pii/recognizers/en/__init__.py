"""English: our recognizers for what Presidio misses, plus the Presidio ones
that already do well (checksummed IDs, IP addresses; each behind a cheap
trigger, see `gated.py`) and spaCy's NER."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from guardrail.pii.recognizers.en.address import StreetAddressRecognizer
from guardrail.pii.recognizers.en.gated import (
    GatedCryptoRecognizer,
    GatedIbanRecognizer,
    GatedIpRecognizer,
    GatedUkNinoRecognizer,
    GatedUsItinRecognizer,
    GatedUsPassportRecognizer,
    GatedUsSsnRecognizer,
)
from guardrail.pii.recognizers.en.known_names import KnownNameRecognizer
from guardrail.pii.recognizers.en.names import ContextNameRecognizer
from guardrail.pii.recognizers.en.ner import EnglishSpacyRecognizer
from guardrail.pii.recognizers.en.tempered import TemperedNhsRecognizer
from guardrail.pii.recognizers.generic import (
    EmailAddressRecognizer,
    IbanChecksumRecognizer,
    PaymentCardRecognizer,
    PhoneNumberRecognizer,
)
from guardrail.pii.recognizers.generic.url import WebAddressRecognizer

# What the NER model contributes; ORGANIZATION is left out (brands and shops,
# many false positives, rarely personal).
NER_ENTITIES = ("PERSON", "LOCATION", "NRP", "DATE_TIME", "STREET_ADDRESS")

ENTITIES = frozenset(
    {
        *NER_ENTITIES,
        "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "URL", "STREET_ADDRESS",
        "IBAN_CODE", "IP_ADDRESS", "US_SSN", "US_ITIN", "US_PASSPORT", "UK_NHS", "UK_NINO",
        "CRYPTO",
    }
)


def english() -> list[EntityRecognizer]:
    return [
        EnglishSpacyRecognizer(supported_language="en", supported_entities=list(NER_ENTITIES)),
        ContextNameRecognizer(),
        KnownNameRecognizer(),
        StreetAddressRecognizer(),
        EmailAddressRecognizer(),
        PhoneNumberRecognizer(),
        PaymentCardRecognizer(),
        WebAddressRecognizer(),
        GatedIbanRecognizer(),
        IbanChecksumRecognizer(),
        GatedIpRecognizer(),
        GatedUsSsnRecognizer(),
        GatedUsItinRecognizer(),
        GatedUsPassportRecognizer(),
        TemperedNhsRecognizer(supported_language="en"),
        GatedUkNinoRecognizer(),
        GatedCryptoRecognizer(),
    ]
