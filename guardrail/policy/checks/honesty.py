"""Honesty: the bot never claims to be human, and discloses that it is AI
(the disclosure is appended to the first answer when the model left it out)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...types import Action, CheckContext, Finding, Severity
from ..lexicon import Lexicon
from ..rules import BuildEnv, PhraseList, RuleCheck, RuleConfig, SeverityName, all_entries, register
from ..textview import view_of
from .phrases import PhraseCheck, PhraseRuleConfig


class HumanClaimConfig(PhraseRuleConfig):
    type: Literal["human_claim"]
    severity: SeverityName = Severity.HIGH


@register("human_claim", HumanClaimConfig)
class HumanClaim(PhraseCheck):
    kind = "human_claim"
    reason = "Claims to be a human ({label})"


class DisclosureConfig(RuleConfig):
    type: Literal["ai_disclosure"]
    severity: SeverityName = Severity.LOW
    # first_answer: the first answer of a conversation; always: every answer.
    when: Literal["first_answer", "always"] = "first_answer"
    # Wordings that already count as a disclosure.
    markers: PhraseList = Field(default_factory=dict)


@register("ai_disclosure", DisclosureConfig)
class Disclosure(RuleCheck):
    kind = "disclosure_missing"
    default_action = Action.MODIFY
    # Remedies run in this order: replacing the answer before appending to it.
    remedy_order = 10

    def __init__(self, config: DisclosureConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        markers = all_entries(config.markers)
        # The set's own disclosure texts always count as disclosure.
        markers += [env.texts.get("disclosure", lang) for lang in ("en", "zh")]
        self.markers = Lexicon(markers)

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        if self.config.when == "first_answer" and not context.first_answer:
            return []
        if self.markers.search(view_of(text)) is not None:
            return []
        return [self.finding("Answer does not say the customer is talking to an AI")]

    def remedy(self, text: str, context: CheckContext) -> str | None:
        return f"{text.rstrip()}\n\n{self.env.texts.get('disclosure', context.language)}"
