"""Restore and check every choice of a completion; decide what the app gets."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from guardrail.config import DEFAULT_CHECK_DEADLINE_SECONDS as DEFAULT_DEADLINE_SECONDS
from guardrail.observability.record import stage
from guardrail.pii import PiiUnavailable
from guardrail.proxy.answer_parts import (
    check_parts,
    combine,
    drop_parts,
    part_texts,
    restore_parts,
)
from guardrail.proxy.checking import check_answer
from guardrail.proxy.own_data import OwnText, foreign_pii
from guardrail.types import Action, CheckContext, Finding, Severity, Span, Verdict

logger = logging.getLogger(__name__)

# The rule id a failed personal-data analysis of an answer is recorded under.
ANALYSIS_RULE = "answer-analysis"


@dataclass
class HeldChoice:
    """What a reviewer needs: the de-identified answer and where the findings are in it."""

    index: int
    deidentified_answer: str
    findings: tuple[Finding, ...]
    suggestions: tuple[str, ...]
    verdict: Verdict


@dataclass
class AnswerReview:
    completion: dict[str, Any]
    verdict: Verdict
    held: HeldChoice | None = None
    findings: list[Finding] = field(default_factory=list)
    # The first choice as the model wrote it (placeholders in): what a later
    # customer report shows a reviewer.
    deidentified_answer: str = ""
    # Text a 'modify' verdict would have appended to a structured answer (JSON
    # content, tool calls): sent in the `guardrail.disclosure` field instead.
    disclosure: str | None = None


async def review_completion(
    completion: dict[str, Any],
    *,
    protected: Any,
    policy: Any,
    context: CheckContext,
    pii: Any,
    deadline: float = DEFAULT_DEADLINE_SECONDS,
    json_answer: bool = False,
    own: OwnText | None = None,
) -> AnswerReview:
    """Restore and check each choice: its content and every other part a
    client may act on (tool-call arguments, refusal, reasoning). Structured
    answers (JSON content, tool calls) are never edited as text: an appended
    disclosure travels beside them, a replacement cannot be made, so a person
    decides (hold)."""
    worst = Verdict(Action.ALLOW, policy_version=policy.version)
    held: HeldChoice | None = None
    all_findings: list[Finding] = []
    first_answer = ""
    disclosure: str | None = None
    for choice in completion.get("choices", []):
        message = choice.get("message") or {}
        source = message.get("content")
        if choice.get("index", 0) == 0:
            first_answer = source or ""
        with stage("restore"):
            restored, span_map = protected.restore_with_map(source) if source else ("", None)
            if source is not None:
                # JSON content gets values escaped for where they land, as tool arguments do.
                message["content"] = protected.restore_arguments(source) if json_answer else restored
            restore_parts(message, protected)
        parts = part_texts(message)
        if not (restored or parts) or not policy.has_answer_rules:
            continue
        structured = json_answer or bool(message.get("tool_calls"))

        async def check(text: str, checked: CheckContext) -> Verdict:
            return await check_answer_text(text, protected, policy, checked, pii, deadline, own)

        with stage("checks"):
            if restored:
                verdict = await check(restored, dataclasses.replace(context, answer_source=source or ""))
            else:
                verdict = Verdict(Action.ALLOW, policy_version=policy.version)
            if parts:
                verdict = combine(verdict, await check_parts(parts, policy, context, check))
        all_findings.extend(verdict.findings)
        if verdict.action is Action.MODIFY and verdict.text is not None and structured:
            if restored and verdict.text.startswith(restored):
                disclosure = disclosure or verdict.text[len(restored) :].strip() or None
            else:
                verdict = dataclasses.replace(verdict, action=Action.HOLD, text=None)
        elif verdict.action in (Action.MODIFY, Action.BLOCK) and verdict.text is not None:
            message["content"] = verdict.text
            if verdict.action is Action.BLOCK:
                drop_parts(message)
                choice["finish_reason"] = "stop"
        if verdict.action is Action.HOLD and held is None:
            held_answer = _held_text(source or "", restored, None if structured else verdict.text)
            settled = _settled_rules(policy, verdict.findings) if held_answer != (source or "") else set()
            held = HeldChoice(
                index=choice.get("index", 0),
                deidentified_answer=held_answer,
                findings=tuple(
                    _to_source(f, span_map) for f in verdict.findings if f.rule_id not in settled
                ),
                suggestions=verdict.suggestions,
                verdict=verdict,
            )
        if verdict.action.rank > worst.action.rank:
            worst = verdict
    combined = dataclasses.replace(worst, findings=tuple(all_findings))
    return AnswerReview(
        completion=completion,
        verdict=combined,
        held=held,
        findings=all_findings,
        deidentified_answer=first_answer,
        disclosure=disclosure if combined.action is Action.MODIFY else None,
    )


async def check_answer_text(
    text: str,
    protected: Any,
    policy: Any,
    context: CheckContext,
    pii: Any,
    deadline: float,
    own: OwnText | None = None,
) -> Verdict:
    """Personal data the customer did not give (neither the vault nor the
    conversation's own text accounts for it), then the policy's rules, all
    within the deadline. Analysis that fails or runs too long (an answer over
    the text limit, the analyzer unavailable) holds the answer."""
    try:
        foreign = await asyncio.wait_for(foreign_pii(pii, text, protected, policy, own), deadline)
    except (PiiUnavailable, TimeoutError) as exc:
        logger.warning("answer analysis failed (%s); held", type(exc).__name__)
        finding = Finding(
            rule_id=ANALYSIS_RULE,
            kind="check_error",
            severity=Severity.HIGH,
            reason="The answer could not be checked for personal data; held to be safe",
        )
        return Verdict(Action.HOLD, (finding,), policy.version)
    checked = dataclasses.replace(context, foreign_pii=foreign)
    return await check_answer(policy, text, checked, deadline)


def _to_source(finding: Finding, span_map: Any) -> Finding:
    """Findings are found on the restored answer; reviewers see the
    de-identified one, so spans move back to its coordinates."""
    if finding.span is None or span_map is None:
        return finding
    mapped: Span = span_map.to_source(finding.span)
    return dataclasses.replace(finding, span=mapped)


def _settled_rules(policy: Any, findings: tuple[Finding, ...]) -> set[str]:
    """Rules whose modification is already in the held answer (an appended AI
    disclosure): they held nothing, so a reviewer is not shown them as
    findings and their decision does not count against them."""
    rules = {rule.id: rule for rule in policy.rules}
    return {
        f.rule_id
        for f in findings
        if not f.shadow
        and f.rule_id in rules
        and rules[f.rule_id].action_for(f, policy.risk) is Action.MODIFY
    }


def _held_text(source: str, restored: str, changed: str | None) -> str:
    """What a reviewer approves: the model's answer with the policy's own
    changes (e.g. an appended AI disclosure), still de-identified. The queue
    must never hold restored text, so only an appended tail is carried over."""
    if changed and changed.startswith(restored):
        return source + changed[len(restored) :]
    return source
