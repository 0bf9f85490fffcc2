"""Chinese in the policy layer: Traditional matched by Simplified phrase lists
(OpenCC), the answer's script picks the text, the shipped Chinese cases pass."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from guardrail.chinese_script import to_simplified, traditional_share
from guardrail.language import detect_language
from guardrail.pii.policy import PiiPolicy
from guardrail.policy import PolicySet, PolicyStore
from guardrail.policy.cases import run_cases
from guardrail.policy.textview import TextView
from guardrail.types import Action, CheckContext

from .conftest import REPO_POLICIES


def test_to_simplified_keeps_every_offset() -> None:
    for text in ("我們保證24小時內退款", "請幫我轉人工", "hello 世界", "乾隆皇帝", "後來的後來"):
        assert len(to_simplified(text)) == len(text)
    assert to_simplified("保證") == "保证"
    assert to_simplified("plain English") == "plain English"


def test_view_spans_point_at_the_traditional_text() -> None:
    view = TextView("您好，我們保證明天送達")
    at = view.text.index("保证")
    span = view.span(at, at + 2)
    assert view.original[span.start : span.end] == "保證"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("请帮我转人工", "zh"),
        ("請幫我轉人工", "zh-hant"),
        ("我的訂單 order #123 還沒到", "zh-hant"),
        ("Where is my order?", "en"),
        ("My order 订单 has not arrived yet, could you check please", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_traditional_share() -> None:
    assert traditional_share("简体中文") == 0.0
    assert traditional_share("繁體中文") == 0.25  # only 體 has a Simplified form


def test_one_simplified_phrase_covers_traditional(policy_of: Callable[[str], PolicySet]) -> None:
    policy = policy_of(
        """
        rules:
          - id: promises
            type: forbidden_promises
            severity: high
            phrases: {zh: [保证]}
        """
    )
    for answer in ("我们保证明天到", "我們保證明天到"):
        verdict = policy.check_answer(answer, CheckContext(language=detect_language(answer)))
        assert verdict.action is Action.HOLD
        (finding,) = verdict.findings
        assert answer[finding.span.start : finding.span.end] in ("保证", "保證")


def test_answer_script_picks_the_text(policy_of: Callable[[str], PolicySet]) -> None:
    policy = policy_of(
        """
        rules:
          - {id: swearing, type: profanity, severity: high, action: block, extra_words: {zh: [他妈的]}}
        texts:
          fallback: {en: "Sorry.", zh: "抱歉。", zh-hant: "抱歉，繁體。"}
        """
    )
    for answer, text in (("他妈的", "抱歉。"), ("他媽的", "抱歉，繁體。")):
        verdict = policy.check_answer(answer, CheckContext(language=detect_language(answer)))
        assert verdict.action is Action.BLOCK
        assert verdict.text == text


def test_shipped_chinese_cases_pass() -> None:
    store = PolicyStore(REPO_POLICIES)
    store.load()
    results = [r for r in run_cases(store, REPO_POLICIES) if r.case.id.startswith("zh-")]
    assert len(results) >= 25
    assert {r.case.id: r.failures for r in results if not r.passed} == {}


def test_shipped_pii_policy_covers_chinese() -> None:
    store = PolicyStore(REPO_POLICIES)
    store.load()
    pii: PiiPolicy = store.get(None).pii
    assert set(pii.languages) == {"en", "zh"}
    for entity in ("CN_RESIDENT_ID", "TW_NATIONAL_ID", "HK_ID_CARD", "PHONE_NUMBER", "PERSON"):
        assert pii.rule(entity) is not None
