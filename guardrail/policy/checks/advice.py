"""Advice the brand may not give (medical, legal, financial...): held for a
person. Categories and their wordings are the policy's to configure."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...types import Action, CheckContext, Finding, Severity
from ..rules import BuildEnv, PatternList, PhraseList, RuleCheck, RuleConfig, SeverityName, register
from .phrases import MAX_FINDINGS_PER_RULE, PhraseMatcher


class AdviceCategory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phrases: PhraseList = Field(default_factory=dict)
    patterns: PatternList = Field(default_factory=dict)


class AdviceConfig(RuleConfig):
    type: Literal["restricted_advice"]
    severity: SeverityName = Severity.HIGH
    categories: dict[str, AdviceCategory] = Field(min_length=1)


@register("restricted_advice", AdviceConfig)
class RestrictedAdvice(RuleCheck):
    kind = "restricted_advice"
    default_action = Action.HOLD

    def __init__(self, config: AdviceConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        self.categories = {
            name: PhraseMatcher(c.phrases, c.patterns) for name, c in config.categories.items()
        }

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        findings = []
        for name, matcher in self.categories.items():
            for label, span in matcher.matches(text)[:MAX_FINDINGS_PER_RULE]:
                reason = f"Gives {name} advice the brand may not give ({label})"
                findings.append(self.finding(reason, span))
        return findings
