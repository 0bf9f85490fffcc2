"""Recognizers for identifiers whose shape does not depend on the language."""

from guardrail.pii.recognizers.generic.credit_card import PaymentCardRecognizer
from guardrail.pii.recognizers.generic.email import EmailAddressRecognizer
from guardrail.pii.recognizers.generic.iban import IbanChecksumRecognizer
from guardrail.pii.recognizers.generic.phone import PhoneNumberRecognizer

__all__ = [
    "EmailAddressRecognizer",
    "IbanChecksumRecognizer",
    "PaymentCardRecognizer",
    "PhoneNumberRecognizer",
]
