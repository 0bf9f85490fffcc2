"""Order, ticket and tracking numbers are context the model needs: they are
not phone numbers unless a phone word says so."""

from __future__ import annotations

import pytest

from guardrail.pii import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(
    "text",
    [
        "Where is order #00000001?",
        "My order number is 12345678, it is late.",
        "Ticket 20261121-0042 is still open.",
        "Tracking ref 5512 3456 7890, please check.",
        "订单号20261121004，还没发货。",
    ],
)
def test_reference_numbers_stay(analyzer: Analyzer, text: str) -> None:
    found = analyzer.analyze([text], "zh" if "订单" in text else "en")[0]
    assert not [d for d in found if d.entity == "PHONE_NUMBER" and d.score >= 0.4]


@pytest.mark.parametrize(
    "text",
    [
        "About order 5531: please call me on 415 555 0199.",
        "Order 88123 — my phone is 07700 900123.",
    ],
)
def test_phone_after_a_reference_is_still_a_phone(analyzer: Analyzer, text: str) -> None:
    found = analyzer.analyze([text], "en")[0]
    assert [d for d in found if d.entity == "PHONE_NUMBER" and d.score >= 0.4]
