"""Every rule type, shadow mode, failing closed, and how findings become a verdict."""

from __future__ import annotations

import pytest

from guardrail.policy import PolicyStore
from guardrail.policy.rules import REGISTRY
from guardrail.types import Action, CheckContext, Span

# (rule yaml, answer that fires it, answer that does not, expected action)
CASES = {
    "banned_phrases": (
        "phrases: [cheap, it is what it is]",
        "A CH3AP l.a.m.p? No, c h e a p!",
        "A cheaper lamp.",
        Action.HOLD,
    ),
    "competitor_mentions": ("phrases: [Wayfair]", "Try wayfair.", "Try our way.", Action.HOLD),
    "customer_blame": ("phrases: [your fault]", "That is YOUR fault.", "Not a problem at all.", Action.HOLD),
    "forbidden_promises": (
        "phrases: ['100%', guaranteed]",
        "It is 100% guaranteed.",
        "It should arrive soon.",
        Action.HOLD,
    ),
    "human_claim": ("phrases: [I'm a human]", "I’m a human, trust me.", "I'm an AI assistant.", Action.HOLD),
    "profanity": ("severity: high", "What the sh1iiit.", "Class assignment, Scunthorpe.", Action.HOLD),
    "rudeness": ("phrases: [calm down]", "Please calm down.", "Please sit down.", Action.HOLD),
    "shouting": ("severity: medium", "THIS IS NOT OK NOW.", "Your FAQ and PDF are here.", Action.HOLD),
    "exclamation": ("severity: medium", "Great!! Thanks.", "Great! Thanks.", Action.HOLD),
    "length": ("max_chars: 20\nseverity: medium", "x" * 21, "x" * 20, Action.HOLD),
    "reading_level": (
        "max_grade: 10\nmin_words: 5\nseverity: medium",
        "Notwithstanding comprehensive institutional considerations, "
        "organizational adjudication necessitates documentation.",
        "The box is on its way. It will be with you soon.",
        Action.HOLD,
    ),
    "restricted_advice": (
        "categories: {medical: {patterns: {en: ['\\b\\d+\\s?mg\\b']}}}",
        "Take 400 mg.",
        "The box weighs 400 g.",
        Action.HOLD,
    ),
}


def _rule(rule_type: str, body: str) -> str:
    lines = "\n".join(f"    {line}" for line in body.splitlines() if line != "{}")
    return f"rules:\n  - id: r1\n    type: {rule_type}\n{lines}\n"


@pytest.mark.parametrize("rule_type", sorted(CASES))
def test_rule_fires_and_stays_quiet(policy_of, rule_type):
    body, bad, good, action = CASES[rule_type]
    policy = policy_of(_rule(rule_type, body))
    verdict = policy.check_answer(bad, CheckContext())
    assert verdict.action is action, verdict
    assert verdict.rule_ids and set(verdict.rule_ids) == {"r1"}
    assert verdict.policy_version == policy.version
    assert policy.check_answer(good, CheckContext()).action is Action.ALLOW


def test_every_registered_type_is_covered_somewhere():
    covered = set(CASES) | {
        "approved_messages",
        "ai_disclosure",
        "pii_leak",
        "handoff",
        "required_phrases",
        "llm_judge",
        "semantic",  # tests/policy/test_semantic.py
    }
    assert set(REGISTRY) == covered


def test_spans_point_into_the_original_text(policy_of):
    policy = policy_of(_rule("banned_phrases", "phrases: [cheap]"))
    text = "Really c.h.e.a.p stuff"
    [finding] = policy.check_answer(text, CheckContext()).findings
    assert finding.span == Span(7, 16) and text[7:16] == "c.h.e.a.p"


def test_required_phrases_per_language(policy_of):
    policy = policy_of(_rule("required_phrases", "phrases: {en: [anything else], zh: [还有什么]}"))
    assert policy.check_answer("Your box shipped.", CheckContext()).action is Action.HOLD
    assert policy.check_answer("Anything else?", CheckContext()).action is Action.ALLOW
    assert policy.check_answer("已发货。还有什么问题吗？", CheckContext(language="zh")).action is Action.ALLOW


def test_rudeness_sentiment_spares_apologies(policy_of):
    policy = policy_of(_rule("rudeness", "{}"))
    rude = policy.check_answer("Your attitude is awful and frankly pathetic.", CheckContext())
    assert rude.action is Action.HOLD and rude.findings[0].kind == "negativity"
    sorry = "I'm so sorry your parcel was lost, that is awful and terrible."
    assert policy.check_answer(sorry, CheckContext()).action is Action.ALLOW


def test_pii_leak_blocks_without_quoting_the_value(policy_of):
    policy = policy_of(_rule("pii_leak", "{}"))
    text = "Her email is jane@example.com."
    ctx = CheckContext(foreign_pii=(("EMAIL_ADDRESS", Span(13, 29)),))
    verdict = policy.check_answer(text, ctx)
    assert verdict.action is Action.BLOCK and verdict.text == policy.text("fallback", "en")
    assert verdict.findings[0].span == Span(13, 29)
    assert "jane" not in verdict.findings[0].reason


def test_disclosure_appended_on_first_answer_only(policy_of):
    policy = policy_of(_rule("ai_disclosure", "markers: {en: [AI assistant]}"))
    first = policy.check_answer("It ships today.", CheckContext(first_answer=True))
    assert first.action is Action.MODIFY
    assert first.text == "It ships today.\n\n" + policy.text("disclosure", "en")
    zh = policy.check_answer("今天发货。", CheckContext(first_answer=True, language="zh-CN"))
    assert zh.text and zh.text.endswith(policy.text("disclosure", "zh"))
    later = policy.check_answer("It ships today.", CheckContext(first_answer=False))
    assert later.action is Action.ALLOW


APPROVED = """\
rules:
  - id: refunds
    type: approved_messages
    on_mismatch: {mode}
    topic: {{name: refunds, keywords: [refund], examples: {{en: [I want my money back]}}}}
    slots: {{order_id: '\\b[A-Z]{{2}}\\d{{6}}\\b', amount: '\\$\\d+'}}
    messages:
      - id: started
        text: "A refund of {{amount}} for order {{order_id}} is on its way."
      - id: ask
        text: "Could you share your order number so I can look into the refund?"
"""


def test_approved_messages_hold_with_suggestions(policy_of):
    policy = policy_of(APPROVED.format(mode="hold"))
    ctx = CheckContext(customer_text="I want my money back for AB123456, I paid $40")
    verdict = policy.check_answer("Sure, you'll get it back tomorrow!", ctx)
    assert verdict.action is Action.HOLD and verdict.rule_ids == ["refunds"]
    assert "A refund of $40 for order AB123456 is on its way." in verdict.suggestions
    ok = policy.check_answer("A refund of $40 for order AB123456 is on its way.", ctx)
    assert ok.action is Action.ALLOW
    off_topic = policy.check_answer("Your parcel ships today.", CheckContext())
    assert off_topic.action is Action.ALLOW


def test_approved_messages_replace_fills_slots_or_holds(policy_of):
    policy = policy_of(APPROVED.format(mode="replace"))
    ctx = CheckContext(customer_text="refund AB123456 please, it was $40")
    verdict = policy.check_answer("A refund of $40 for AB123456 is coming my friend!!", ctx)
    assert verdict.action is Action.MODIFY
    assert verdict.text == "A refund of $40 for order AB123456 is on its way."
    # No amount anywhere: the slot cannot be filled, so a person decides.
    unfilled = policy.check_answer(
        "A refund for order AB123456 is coming, friend.", CheckContext(customer_text="refund AB123456")
    )
    assert unfilled.action is Action.HOLD
    assert "{amount}" in unfilled.suggestions[0]


def test_handoff_request_in_content_parts(policy_of):
    policy = policy_of(
        _rule(
            "handoff",
            "phrases: {en: [agent please], zh: [转人工]}\npatterns: {en: ['\\btalk to a human\\b']}",
        )
    )
    messages = [
        {"role": "user", "content": "talk to a human"},
        {"role": "assistant", "content": "Sure."},
        {"role": "user", "content": [{"type": "text", "text": "我要转人工"}]},
    ]
    verdict = policy.check_request(messages, CheckContext(language="zh"))
    assert verdict.action is Action.HOLD and verdict.findings[0].kind == "handoff"
    assert verdict.text == policy.text("handoff", "zh")
    messages[-1] = {"role": "user", "content": "where is my parcel?"}
    assert policy.check_request(messages, CheckContext()).action is Action.ALLOW


def test_shadow_findings_never_change_the_action(policy_of):
    policy = policy_of(_rule("banned_phrases", "phrases: [cheap]\nshadow: true"))
    verdict = policy.check_answer("cheap!", CheckContext())
    assert verdict.action is Action.ALLOW and verdict.rule_ids == []
    assert [f.shadow for f in verdict.findings] == [True]
    assert policy.streaming == "sentence"


def test_a_failing_check_fails_closed(policy_of, monkeypatch):
    policy = policy_of(_rule("shouting", "severity: info"))

    def boom(text, context):
        raise RuntimeError("boom with customer text")

    monkeypatch.setattr(policy.rules[0].check, "check", boom)
    verdict = policy.check_answer("hello", CheckContext())
    assert verdict.action is Action.HOLD
    [finding] = verdict.findings
    assert finding.kind == "check_error" and "customer text" not in finding.reason


def test_risk_map_and_rule_action_override(policy_of):
    policy = policy_of("""\
        risk: {low: block}
        rules:
          - {id: a, type: exclamation, severity: low}
          - {id: b, type: shouting, severity: low, action: allow}
        """)
    assert policy.check_answer("Hi!!", CheckContext()).action is Action.BLOCK
    assert policy.check_answer("HELLO THERE YOU ALL", CheckContext()).action is Action.ALLOW


def test_sets_share_files_and_override_rules(write):
    write("shared/tone.yaml", "rules:\n  - {id: tone.banned, type: banned_phrases, phrases: [cheap]}\n")
    write("sets/default.yaml", "set: default\ninclude: [shared/*.yaml]\n")
    directory = write(
        "sets/trial.yaml",
        "set: trial\ninclude: [shared/tone.yaml]\n"
        "overrides: {tone.banned: {shadow: true}}\n"
        "texts: {fallback: {en: Trial fallback.}}\n",
    )
    store = PolicyStore(directory)
    store.load()
    assert store.set_names == ["default", "trial"]
    assert store.get(None).check_answer("cheap", CheckContext()).action is Action.HOLD
    trial = store.get("trial")
    assert trial.check_answer("cheap", CheckContext()).action is Action.ALLOW
    assert trial.text("fallback", "en") == "Trial fallback."
    assert trial.version != store.get(None).version


def test_texts_fall_back_by_language(policy_of):
    policy = policy_of("texts:\n  handoff: {en: Hi, zh: 你好, zh-hant: 您好}\n")
    assert policy.text("handoff", "zh-Hant-TW") == "您好"
    assert policy.text("handoff", "zh_CN") == "你好"
    assert policy.text("handoff", "fr") == "Hi"
    with pytest.raises(KeyError):
        policy.text("farewell", "en")


def test_streaming_mode_follows_the_possible_actions(policy_of):
    assert policy_of(_rule("profanity", "action: block")).streaming == "sentence"
    assert policy_of(_rule("profanity", "action: hold")).streaming == "buffer"
    assert policy_of(_rule("ai_disclosure", "{}")).streaming == "buffer"


def test_the_normaliser_reads_spaced_and_leet_words_in_one_pass():
    from guardrail.policy.textview import normalise, spaced_out

    assert spaced_out("a c.h.e.a.p deal") == [(2, 11)]
    assert spaced_out("f u c k off") == [(0, 7)]
    assert spaced_out("a b cd") == []
    assert normalise("sh1t " + "1" * 50_000)[0] == "shit " + "1" * 50_000
    view, offsets = normalise("x " * 30_000 + "xy")
    assert view == "x" * 30_000 + " xy" and offsets is not None
