"""Phone formats customers really type, including UK trunk marks and bare
North American numbers."""

from __future__ import annotations

import pytest

from guardrail.pii import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Direct line +44(0)1632960388.", "+44(0)1632960388"),
        ("Best to reach me at +44(0)131 496 0904 tomorrow", "+44(0)131 496 0904"),
        ("Customer Success | 4155550199", "4155550199"),
        # A whole subscriber number after the country or area code.
        ("+43 31656224154", "+43 31656224154"),
        ("Reach me on (351) 925807302 in the morning", "(351) 925807302"),
        ("My mobile is +358 200332245", "+358 200332245"),
    ],
)
def test_phone_found_whole(analyzer: Analyzer, text: str, number: str) -> None:
    found = analyzer.analyze([text], "en")[0]
    phones = [text[d.start : d.end] for d in found if d.entity == "PHONE_NUMBER" and d.score >= 0.4]
    assert number in phones


def test_bare_ten_digits_after_an_order_word_stay(analyzer: Analyzer) -> None:
    found = analyzer.analyze(["Your order 4155550199 has shipped."], "en")[0]
    assert not [d for d in found if d.entity == "PHONE_NUMBER" and d.score >= 0.4]
