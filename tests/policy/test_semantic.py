"""Semantic rules scored by the bundled model: findings, thresholds, shadow
mode, deadlines, and the policy file's schema."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrail.policy import PolicyError, PolicySet, PolicyStore
from guardrail.policy.semantic import SemanticResources
from guardrail.types import Action, CheckContext, Finding, Severity

# A small rule, written as the docs ask (examples in each language it answers in).
RUDE_RULE = """\
rules:
  - id: rude
    type: semantic
    severity: high
    description: The answer is rude or dismissive to the customer.
    {extra}
    examples:
      breaks:
        - "Are you serious? It's written on the box."
        - "Stop messaging me about the same parcel."
        - "That's a ridiculous request and we won't do it."
        - "Whatever. Figure it out yourself."
        - "你到底有没有在听我说话？"
        - "别再发消息催了，烦死了。"
        - "这么简单都不会，真服了你。"
        - "说了多少遍了，自己去看订单页面。"
        - "你這問題也太蠢了吧。"
      fine:
        - "No problem, it's a common question: the video is on the product page."
        - "I'm sorry for the wait; I've escalated your parcel to the courier."
        - "不好意思让您久等了，我再帮您查一下物流。"
        - "这个问题很常见，我一步一步告诉您。"
"""


@pytest.fixture(scope="module")
def semantic() -> SemanticResources:
    """One bundled model for the module: loading it is the slow part."""
    return SemanticResources()


@pytest.fixture
def semantic_policy(tmp_path: Path, semantic: SemanticResources) -> Callable[[str], PolicySet]:
    def build(text: str) -> PolicySet:
        (tmp_path / "policy.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        store = PolicyStore(tmp_path, semantic=semantic)
        store.load()
        return store.get(None)

    return build


def _rude(extra: str = "") -> str:
    return RUDE_RULE.replace("{extra}", extra or "enabled: true")


def test_a_rude_answer_is_held_with_score_and_closest_examples(semantic_policy) -> None:
    policy = semantic_policy(_rude())
    verdict = policy.check_answer("Ugh, whatever. Just read the box yourself.", CheckContext())
    assert verdict.action is Action.HOLD
    (finding,) = verdict.findings
    assert finding.rule_id == "rude" and finding.kind == "semantic"
    assert finding.score is not None and finding.score >= 0.5
    assert "meaning score" in finding.reason
    breaks = set(policy.rules[0].config.examples.breaks)
    assert finding.examples and all(text in breaks for text, _ in finding.examples)
    assert all(-1.0 <= similarity <= 1.0 for _, similarity in finding.examples)


def test_a_polite_near_miss_is_released(semantic_policy) -> None:
    policy = semantic_policy(_rude())
    verdict = policy.check_answer("Sorry for the trouble! I've sent a new tracking link.", CheckContext())
    assert verdict.action is Action.ALLOW
    assert verdict.findings == ()


def test_chinese_answers_are_scored_too(semantic_policy) -> None:
    policy = semantic_policy(_rude())
    held = policy.check_answer("烦死了，别再问了，自己看说明书。", CheckContext(language="zh"))
    fine = policy.check_answer("您好，您的包裹预计明天送达。", CheckContext(language="zh"))
    assert held.action is Action.HOLD
    assert fine.action is Action.ALLOW


def test_an_explicit_threshold_wins_over_the_calibrated_one(semantic_policy) -> None:
    policy = semantic_policy(_rude("threshold: 0.999"))
    assert policy.rules[0].check.backend.threshold == 0.999
    verdict = policy.check_answer("Whatever. Figure it out.", CheckContext())
    assert verdict.action is Action.ALLOW


def test_the_calibrated_threshold_is_at_least_even_odds(semantic_policy) -> None:
    policy = semantic_policy(_rude())
    assert 0.5 <= policy.rules[0].check.backend.threshold < 1.0


def test_shadow_rules_are_recorded_not_enforced(semantic_policy) -> None:
    policy = semantic_policy(_rude("shadow: true"))
    verdict = policy.check_answer("Ugh, whatever. Just read the box yourself.", CheckContext())
    assert verdict.action is Action.ALLOW
    assert [f.rule_id for f in verdict.findings if f.shadow] == ["rude"]


def test_a_block_action_allows_sentence_streaming(semantic_policy) -> None:
    assert semantic_policy(_rude()).streaming == "buffer"
    assert semantic_policy(_rude("action: block")).streaming == "sentence"


async def test_the_async_path_runs_off_the_loop_with_the_same_verdict(semantic_policy) -> None:
    policy = semantic_policy(_rude())
    text = "Ugh, whatever. Just read the box yourself."
    assert (await policy.check_answer_async(text, CheckContext())).action is Action.HOLD


async def test_a_missed_deadline_fails_closed(semantic_policy) -> None:
    policy = semantic_policy(_rude("timeout_seconds: 0.000001"))
    text = "A fresh answer nobody has scored before, 7431."
    verdict = await policy.check_answer_async(text, CheckContext())
    assert verdict.action is Action.HOLD
    assert [f.kind for f in verdict.findings] == ["check_error"]


async def test_the_model_rules_score_together_under_their_smallest_deadline(semantic_policy) -> None:
    """One worker-thread hop for every rule of the bundled model: a deadline
    missed by the group fails each rule of it closed."""
    second_rule = RUDE_RULE.replace("id: rude", "id: rude-again").split("rules:\n", 1)[1]
    policy = semantic_policy(_rude() + second_rule.format(extra="timeout_seconds: 0.000001"))
    text = "Another fresh answer nobody has scored before, 9313."
    verdict = await policy.check_answer_async(text, CheckContext())
    assert verdict.action is Action.HOLD
    assert sorted((f.rule_id, f.kind) for f in verdict.findings) == [
        ("rude", "check_error"),
        ("rude-again", "check_error"),
    ]


async def test_async_and_sync_evaluations_agree_on_the_shipped_policies() -> None:
    store = PolicyStore(Path(__file__).parents[2] / "policies")
    store.load()
    policy = store.get(None)
    answers = [
        "Your parcel left our warehouse this morning and arrives tomorrow.",
        "Honestly, stop messaging me about this parcel. Read the tracking page yourself.",
        "I guarantee you a full refund and a free upgrade, no questions asked.",
        "您好，您的订单已经发货，预计明天送达。",
        "这么简单都不会，真服了你。",
    ]
    for text in answers:
        sync = policy.check_answer(text, CheckContext())
        async_ = await policy.check_answer_async(text, CheckContext())
        assert (async_.action, async_.findings) == (sync.action, sync.findings), text


def test_long_answers_are_scored_per_sentence_with_its_span(semantic_policy) -> None:
    policy = semantic_policy(_rude())
    text = (
        "Your order left our warehouse this morning. The courier delivers between 9am and 1pm. "
        "The cover can be washed at thirty degrees. Honestly, stop messaging me about this parcel."
    )
    verdict = policy.check_answer(text, CheckContext())
    assert verdict.action is Action.HOLD
    finding = verdict.findings[0]
    if finding.span is not None:  # a sentence scored worst: the span points at it
        assert "stop messaging" in text[finding.span.start : finding.span.end]


def test_findings_keep_their_examples_through_the_queue_codec() -> None:
    finding = Finding("rude", "semantic", Severity.HIGH, "reason", score=0.9, examples=(("Whatever.", 0.81),))
    assert Finding.from_dict(finding.to_dict()) == finding


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("backend: judge", "needs a 'judge:' section"),
        ("judge: {model: gpt, api_base: http://x}", "unknown field"),
        ("threshold: 1.5", "less than 1"),
    ],
)
def test_schema_errors_name_the_problem(semantic_policy, extra: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        semantic_policy(_rude(extra))
    assert message in str(caught.value)


def test_a_rule_without_breaking_examples_is_rejected(semantic_policy) -> None:
    with pytest.raises(PolicyError) as caught:
        semantic_policy(
            """\
            rules:
              - id: empty
                type: semantic
                description: Nothing.
                examples: {breaks: []}
            """
        )
    assert "examples" in str(caught.value)


def test_the_customers_own_words_repeated_back_are_not_scored(semantic_policy) -> None:
    from guardrail.policy.checks.semantic import without_customer_words

    customer = "Whatever, just figure it out yourself"
    answer = f"You wrote: {customer}. I'm sorry you feel that way; here is the tracking link."
    blanked = without_customer_words(answer, customer)
    assert len(blanked) == len(answer) and "figure it out" not in blanked
    policy = semantic_policy(_rude())
    assert policy.check_answer(answer, CheckContext(customer_text=customer)).action is Action.ALLOW
