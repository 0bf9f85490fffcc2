"""A loaded policy set: runs its rules and turns findings into one verdict.

Findings -> actions: a rule's explicit `action`, else the check's own
(disclosure modifies, leaks block...), else the set's severity map. The
strictest enforced action wins; shadow findings are recorded, never enforced.
A check that raises is a failed check: it is recorded as `check_error` and
the answer is held (never passed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from guardrail.chat_messages import latest_customer_text
from guardrail.pii.policy import PiiPolicy

from ..types import Action, Check, CheckContext, Finding, Severity, Verdict
from .rules import RuleConfig, Stage
from .schema import HoldSettings, RiskMap
from .texts import Texts
from .textview import CheckedText

logger = logging.getLogger(__name__)

Streaming = Literal["buffer", "sentence"]


@dataclass(frozen=True)
class Rule:
    config: RuleConfig
    check: Check
    stage: Stage

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def is_async(self) -> bool:
        return bool(getattr(self.check, "is_async", False))

    def action_for(self, finding: Finding, risk: RiskMap) -> Action:
        action = (
            self.config.action
            or getattr(self.check, "default_action", None)
            or risk.action_for(finding.severity)
        )
        if finding.kind == "check_error" and action.rank < Action.HOLD.rank:
            return Action.HOLD  # fail closed
        return action


def _failed(rule: Rule, exc: BaseException) -> Finding:
    # Log the rule and the exception type only: messages may quote the text.
    logger.warning("policy rule %s failed: %s", rule.id, type(exc).__name__)
    return Finding(
        rule_id=rule.id,
        kind="check_error",
        severity=Severity.HIGH,
        reason=f"The check failed ({type(exc).__name__}); held to be safe",
        shadow=rule.config.shadow,
    )


def _checked_context(context: CheckContext) -> CheckContext:
    """The customer's text as a `CheckedText` too: several rules read it
    (each governed topic, for one), and it is then normalised once."""
    if isinstance(context.customer_text, CheckedText):
        return context
    return dataclasses.replace(context, customer_text=CheckedText(context.customer_text))


class PolicySet:
    def __init__(
        self,
        name: str,
        version: str,
        *,
        rules: Sequence[Rule] = (),
        risk: RiskMap | None = None,
        hold: HoldSettings | None = None,
        texts: Texts | None = None,
        pii: PiiPolicy | None = None,
        files: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.version = version
        # No `pii:` section means no personal data is analysed.
        self.pii: PiiPolicy = pii if pii is not None else PiiPolicy()
        self.hold = hold or HoldSettings()
        self.risk = risk or RiskMap()
        self.files = tuple(files)
        self._texts = texts or Texts({})
        self.rules = tuple(r for r in rules if r.config.enabled)
        self._request_rules = [r for r in self.rules if r.stage == "request"]
        self._answer_rules = [r for r in self.rules if r.stage == "answer" and not r.is_async]
        self._async_rules = [r for r in self.rules if r.stage == "answer" and r.is_async]
        # The bundled semantic model needs no network: its rules score in one
        # worker-thread hop together (the model encodes an answer once for all
        # of them) instead of one hop and one timer each. What is left to await
        # is the LLM judge.
        self._model_rules = [r for r in self._async_rules if getattr(r.check, "supports_sync", False)]
        self._judged_rules = [r for r in self._async_rules if r not in self._model_rules]
        self.streaming: Streaming = self._streaming_mode()

    @property
    def is_empty(self) -> bool:
        """No rules and no personal data to protect: a pure gateway."""
        return not self.rules and not self.pii.entities

    @property
    def has_answer_rules(self) -> bool:
        return bool(self._answer_rules or self._async_rules)

    @property
    def needs_async(self) -> bool:
        """True when an enabled rule (the LLM judge) must be awaited."""
        return bool(self._async_rules)

    def text(self, key: str, language: str) -> str:
        return self._texts.get(key, language)

    def _streaming_mode(self) -> Streaming:
        # Sentence-by-sentence release is only safe when no enforced rule can
        # hold or modify: text already sent cannot be taken back or changed.
        for rule in self.rules:
            if rule.stage != "answer" or rule.config.shadow:
                continue
            probe = Finding(rule.id, "probe", rule.config.severity, "")
            if rule.action_for(probe, self.risk) in (Action.MODIFY, Action.HOLD):
                return "buffer"
        return "sentence"

    # -- requests -------------------------------------------------------

    def check_request(self, messages: list[dict[str, Any]], context: CheckContext) -> Verdict:
        text = CheckedText(latest_customer_text(messages))
        findings = [f for rule in self._request_rules for f in self._run(rule, text, context)]
        action = self._action(findings)
        if action.rank >= Action.HOLD.rank:
            # A request that is held goes to a person: the customer is told so.
            key = "handoff" if action is Action.HOLD else "fallback"
            return Verdict(action, tuple(findings), self.version, self.text(key, context.language))
        return Verdict(Action.ALLOW, tuple(findings), self.version)

    # -- answers --------------------------------------------------------

    def check_answer(self, text: str, context: CheckContext) -> Verdict:
        """Every rule but async ones; an enabled async rule (the LLM judge)
        counts as failed here, so the answer is held rather than unjudged."""
        checked = CheckedText(text)
        context = _checked_context(context)
        findings = [f for rule in self._answer_rules for f in self._run(rule, checked, context)]
        for rule in self._async_rules:
            if getattr(rule.check, "supports_sync", False):  # the bundled semantic model
                findings += self._run(rule, checked, context)
            else:
                findings.append(_failed(rule, RuntimeError("async rule in a sync evaluation")))
        return self._decide(text, findings, context)

    async def check_answer_async(self, text: str, context: CheckContext) -> Verdict:
        """Like `check_answer`, awaiting async rules (the LLM judge) too. The
        other rules run in a worker thread: the event loop keeps serving."""
        checked = CheckedText(text)
        context = _checked_context(context)
        findings = await asyncio.to_thread(self._run_all, self._answer_rules, checked, context)
        findings += await self._run_model_rules(checked, context)
        judged = await asyncio.gather(*(self._run_judged(rule, text, context) for rule in self._judged_rules))
        findings += [f for found in judged for f in found]
        return self._decide(text, findings, context)

    async def _run_model_rules(self, text: CheckedText, context: CheckContext) -> list[Finding]:
        """The semantic model's rules in one thread hop, under the smallest of
        their deadlines: past it, each of them fails closed."""
        if not self._model_rules:
            return []
        deadline = min(rule.check.timeout_seconds for rule in self._model_rules)  # type: ignore[attr-defined]
        work = asyncio.to_thread(self._run_all, self._model_rules, text, context)
        try:
            return await asyncio.wait_for(work, deadline)
        except TimeoutError as exc:
            return [_failed(rule, exc) for rule in self._model_rules]

    async def _run_judged(self, rule: Rule, text: str, context: CheckContext) -> list[Finding]:
        try:
            return await rule.check.acheck(text, context)  # type: ignore[attr-defined]
        except Exception as exc:
            return [_failed(rule, exc)]

    def _run_all(self, rules: Sequence[Rule], text: str, context: CheckContext) -> list[Finding]:
        return [f for rule in rules for f in self._run(rule, text, context)]

    def _run(self, rule: Rule, text: str, context: CheckContext) -> list[Finding]:
        try:
            return list(rule.check.check(text, context))
        except Exception as exc:
            return [_failed(rule, exc)]

    def _rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def action_for(self, findings: Sequence[Finding]) -> Action:
        """The strictest enforced action these findings call for."""
        return self._action(list(findings))

    def _action(self, findings: Sequence[Finding]) -> Action:
        action = Action.ALLOW
        for f in findings:
            if not f.shadow:
                candidate = self._rule(f.rule_id).action_for(f, self.risk)
                action = max(action, candidate, key=lambda a: a.rank)
        return action

    def _decide(self, text: str, findings: list[Finding], context: CheckContext) -> Verdict:
        action = self._action(findings)
        if action is Action.BLOCK:
            return Verdict(action, tuple(findings), self.version, self.text("fallback", context.language))
        modified, findings = self._remedied(text, findings, context)
        if action is Action.MODIFY and modified is None:
            action = Action.HOLD  # a modification we could not make: a person decides
        if action is Action.HOLD:
            # `text` on a hold is the answer with the policy's modifications
            # made: what to release if a reviewer approves it unchanged.
            return Verdict(
                action,
                tuple(findings),
                self.version,
                modified if modified != text else None,
                tuple(self._suggestions(text, findings, context)),
            )
        if action is Action.MODIFY:
            return Verdict(action, tuple(findings), self.version, modified)
        return Verdict(Action.ALLOW, tuple(findings), self.version)

    def _remedied(
        self, text: str, findings: list[Finding], context: CheckContext
    ) -> tuple[str | None, list[Finding]]:
        """Apply the remedies of enforced modify findings in remedy order.
        Returns (None, findings) when one of them cannot be applied."""
        rules = {
            f.rule_id: self._rule(f.rule_id)
            for f in findings
            if not f.shadow
            and f.kind != "check_error"
            and self._rule(f.rule_id).action_for(f, self.risk) is Action.MODIFY
        }
        ordered = sorted(rules.values(), key=lambda r: getattr(r.check, "remedy_order", 0))
        current: str | None = text
        for rule in ordered:
            remedy = getattr(rule.check, "remedy", None)
            if remedy is None or current is None:
                return None, findings
            try:
                current = remedy(current, context)
            except Exception as exc:
                return None, [*findings, _failed(rule, exc)]
        return current, findings

    def _suggestions(self, text: str, findings: list[Finding], context: CheckContext) -> list[str]:
        out: list[str] = []
        for rule_id in dict.fromkeys(f.rule_id for f in findings if not f.shadow):
            suggest = getattr(self._rule(rule_id).check, "suggest", None)
            if suggest is None:
                continue
            try:
                out += [s for s in suggest(text, context) if s not in out]
            except Exception as exc:
                logger.warning("suggestions of rule %s failed: %s", rule_id, type(exc).__name__)
        return out

