"""The customer asks for a person ("talk to a human", "agent please", "转人工"):
the proxy skips the model, answers with the handoff text and queues a handoff.
No reason is needed; asking is enough."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...types import Action, CheckContext, Finding, Severity, Span
from ..patterns import PolicyPattern
from ..rules import BuildEnv, PatternList, SeverityName, all_entries, register
from .phrases import PhraseCheck, PhraseRuleConfig


class HandoffConfig(PhraseRuleConfig):
    type: Literal["handoff"]
    severity: SeverityName = Severity.INFO
    # Wordings that mention a person without asking for one ("are you a real
    # person?" is a question for the bot to answer honestly).
    exclude_patterns: PatternList = Field(default_factory=dict)


@register("handoff", HandoffConfig, stage="request")
class Handoff(PhraseCheck):
    kind = "handoff"
    reason = "Customer asks for a person ({label})"
    default_action = Action.HOLD

    def __init__(self, config: HandoffConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        self.excludes = [PolicyPattern(p, ignore_case=True) for p in all_entries(config.exclude_patterns)]

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        findings = super().check(text, context)
        if not findings or not self.excludes:
            return findings
        excluded = [Span(m.start(), m.end()) for p in self.excludes for m in p.finditer(text)]
        return [f for f in findings if f.span is None or not _overlaps(f.span, excluded)]


def _overlaps(span: Span, others: list[Span]) -> bool:
    return any(o.start < span.end and span.start < o.end for o in others)
