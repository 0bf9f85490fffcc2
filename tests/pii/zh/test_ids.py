"""Check digits of the national IDs: valid numbers score high on their own,
wrong check digits only with a context word."""

from __future__ import annotations

import pytest

from guardrail.pii.recognizers.zh.ids import (
    HongKongIdRecognizer,
    ResidentIdRecognizer,
    TaiwanIdRecognizer,
    hk_check_char,
    resident_check_char,
    tw_id_valid,
)


def _scores(recognizer: object, text: str) -> list[tuple[str, float]]:
    return [(text[c.start : c.end], c.score) for c in recognizer.candidates(text)]  # type: ignore[attr-defined]


def test_resident_id_check_digit() -> None:
    assert resident_check_char("11010519491231002") == "X"
    assert resident_check_char("44030719900307123") == "9"  # 440307199003071239


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("身份证号11010519491231002X，谢谢", "11010519491231002X"),
        ("身份证号11010519491231002x", "11010519491231002x"),
        ("ID 440307199003071239 please", "440307199003071239"),
        ("证件号码：110105 19491231 002X", "110105 19491231 002X"),
        ("旧身份证号110105491231002", "110105491231002"),  # legacy 15 digits, valid date
    ],
)
def test_resident_id_found(text: str, value: str) -> None:
    found = dict(_scores(ResidentIdRecognizer(), text))
    assert found.get(value, 0) >= 0.45


@pytest.mark.parametrize(
    "text",
    [
        "订单号110105194913310021",  # month 13: not a date
        "流水号990105194912310021",  # 99 is no province
        "编号110105491331002",  # legacy form with an impossible date
        "1101051949123100211",  # 19 digits: part of a longer number
    ],
)
def test_resident_id_rejected(text: str) -> None:
    assert _scores(ResidentIdRecognizer(), text) == []


def test_resident_id_wrong_check_digit_is_weak() -> None:
    ((_, score),) = _scores(ResidentIdRecognizer(), "号码110105194912310021")
    assert score < 0.4  # masked only when a context word (身份证) lifts it


def test_taiwan_id() -> None:
    assert tw_id_valid("A123456789")
    assert not tw_id_valid("A123456788")
    ((value, score),) = _scores(TaiwanIdRecognizer(), "身分證字號A123456789，謝謝")
    assert (value, score) == ("A123456789", 0.9)
    ((_, weak),) = _scores(TaiwanIdRecognizer(), "序號A123456788")
    assert weak < 0.4


def test_hong_kong_id() -> None:
    assert hk_check_char("A", "123456") == "3"
    found = _scores(HongKongIdRecognizer(), "香港身份證A123456(3)，電話")
    assert found == [("A123456(3)", 0.9)]
    assert _scores(HongKongIdRecognizer(), "身份證號碼A1234563")[0][1] >= 0.7
    assert _scores(HongKongIdRecognizer(), "身份證A123456(4)")[0][1] < 0.4
