"""Restore and check every choice of a completion; decide what the app gets."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from guardrail.config import DEFAULT_CHECK_DEADLINE_SECONDS as DEFAULT_DEADLINE_SECONDS
from guardrail.pii import PiiUnavailable
from guardrail.proxy.answer_parts import (
    check_parts,
    combine,
    drop_parts,
    part_texts,
    restore_parts,
)
from guardrail.proxy.checking import check_answer
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


async def review_completion(
    completion: dict[str, Any],
    *,
    protected: Any,
    policy: Any,
    context: CheckContext,
    pii: Any,
    deadline: float = DEFAULT_DEADLINE_SECONDS,
) -> AnswerReview:
    worst = Verdict(Action.ALLOW, policy_version=policy.version)
    held: HeldChoice | None = None
    all_findings: list[Finding] = []
    first_answer = ""
    for choice in completion.get("choices", []):
        message = choice.get("message") or {}
        source = message.get("content")
        if choice.get("index", 0) == 0:
            first_answer = source or ""
        restored, span_map = protected.restore_with_map(source) if source else ("", None)
        if source is not None:
            message["content"] = restored
        restore_parts(message, protected)
        parts = part_texts(message)
        if not (restored or parts) or not policy.has_answer_rules:
            continue

        async def check(text: str, checked: CheckContext) -> Verdict:
            return await check_answer_text(text, protected, policy, checked, pii, deadline)

        if restored:
            verdict = await check(restored, dataclasses.replace(context, answer_source=source or ""))
        else:
            verdict = Verdict(Action.ALLOW, policy_version=policy.version)
        if parts:
            verdict = combine(verdict, await check_parts(parts, policy, context, check))
        all_findings.extend(verdict.findings)
        if verdict.action in (Action.MODIFY, Action.BLOCK) and verdict.text is not None:
            message["content"] = verdict.text
            if verdict.action is Action.BLOCK:
                drop_parts(message)
                choice["finish_reason"] = "stop"
        if verdict.action is Action.HOLD and held is None:
            held = HeldChoice(
                index=choice.get("index", 0),
                deidentified_answer=_held_text(source or "", restored, verdict.text),
                findings=tuple(_to_source(f, span_map) for f in verdict.findings),
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
    )


async def check_answer_text(
    text: str, protected: Any, policy: Any, context: CheckContext, pii: Any, deadline: float
) -> Verdict:
    """Personal data the customer did not give, then the policy's rules, all
    within the deadline. Analysis that fails or runs too long (an answer over
    the text limit, the analyzer unavailable) holds the answer."""
    try:
        foreign = await asyncio.wait_for(pii.find_foreign_pii(text, protected, policy.pii), deadline)
    except (PiiUnavailable, TimeoutError) as exc:
        logger.warning("answer analysis failed (%s); held", type(exc).__name__)
        finding = Finding(
            rule_id=ANALYSIS_RULE,
            kind="check_error",
            severity=Severity.HIGH,
            reason="The answer could not be checked for personal data; held to be safe",
        )
        return Verdict(Action.HOLD, (finding,), policy.version)
    checked = dataclasses.replace(context, foreign_pii=tuple(foreign))
    return await check_answer(policy, text, checked, deadline)


def _to_source(finding: Finding, span_map: Any) -> Finding:
    """Findings are found on the restored answer; reviewers see the
    de-identified one, so spans move back to its coordinates."""
    if finding.span is None or span_map is None:
        return finding
    mapped: Span = span_map.to_source(finding.span)
    return dataclasses.replace(finding, span=mapped)


def _held_text(source: str, restored: str, changed: str | None) -> str:
    """What a reviewer approves: the model's answer with the policy's own
    changes (e.g. an appended AI disclosure), still de-identified. The queue
    must never hold restored text, so only an appended tail is carried over."""
    if changed and changed.startswith(restored):
        return source + changed[len(restored) :]
    return source
