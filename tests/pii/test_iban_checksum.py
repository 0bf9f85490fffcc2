"""Account numbers in IBAN form with valid check digits, from any country and
in any case, found whole; IBAN-shaped text whose check digits fail is not."""

from __future__ import annotations

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.recognizers.generic.iban import mod97_valid

POLICY = PiiPolicy.default()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _ibans(analyzer: Analyzer, text: str, language: str = "en") -> list[str]:
    found = select(text, analyzer.analyze([text], language)[0], POLICY)
    return [text[d.start : d.end] for d in found if d.entity == "IBAN_CODE"]


@pytest.mark.parametrize(
    ("text", "iban"),
    [
        # Countries or layouts Presidio's recognizer does not accept.
        ("Please refund to PH468906276223012891 instead.", "PH468906276223012891"),
        ("My account: BD11TWBX627622301", "BD11TWBX627622301"),
        ("Send it to AR44 KACE 8081 9783 6163 1922 9004 thanks", "AR44 KACE 8081 9783 6163 1922 9004"),
        ("iban GB20TWBX6276223012891", "GB20TWBX6276223012891"),
        # A valid British IBAN typed in lower case, in groups.
        ("it's gb82 west 1234 5698 7654 32 for the refund", "gb82 west 1234 5698 7654 32"),
    ],
)
def test_checksummed_account_numbers_are_found_whole(analyzer: Analyzer, text: str, iban: str) -> None:
    assert iban in _ibans(analyzer, text)


def test_found_glued_to_chinese_text(analyzer: Analyzer) -> None:
    text = "退款请转到账号PH468906276223012891，谢谢"
    assert "PH468906276223012891" in _ibans(analyzer, text, "zh")


@pytest.mark.parametrize(
    "text",
    [
        "XY3812345678901234 is the code on the box",  # check digits off by one
        "Room AB12 is near the lift on the second floor",  # words, not digits
        "Model TV55 4K UHD smart screen, 2024 edition",
    ],
)
def test_iban_shaped_text_without_valid_check_digits_is_left(analyzer: Analyzer, text: str) -> None:
    assert _ibans(analyzer, text) == []


def test_mod97() -> None:
    assert mod97_valid("GB82WEST12345698765432")
    assert not mod97_valid("GB83WEST12345698765432")
    assert not mod97_valid("GB82WEST1234569876543!")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Check digits that hold by chance, on numbers labelled as something else.
        ("你好，我的快递到哪了？单号JD6743677353009，谢谢", "zh"),
        ("订单DD69483692570701怎么还没到？", "zh"),
        ("tracking number YT0671486753009 has not moved", "en"),
    ],
)
def test_order_and_waybill_numbers_are_left(analyzer: Analyzer, text: str, language: str) -> None:
    assert _ibans(analyzer, text, language) == []
