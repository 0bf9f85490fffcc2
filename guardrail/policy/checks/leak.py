"""Personal data in the answer that this conversation's customer did not
give (another customer's email, card, phone): blocked. The PII service finds
it and passes it in `CheckContext.foreign_pii`; this rule judges it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...types import Action, CheckContext, Finding, Severity
from ..rules import BuildEnv, RuleCheck, RuleConfig, SeverityName, register


class LeakConfig(RuleConfig):
    type: Literal["pii_leak"]
    severity: SeverityName = Severity.CRITICAL
    # Entity types this rule covers; empty means every type.
    entities: list[str] = Field(default_factory=list)


@register("pii_leak", LeakConfig)
class PiiLeak(RuleCheck):
    kind = "pii_leak"
    default_action = Action.BLOCK

    def __init__(self, config: LeakConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        self.entities = {e.upper() for e in config.entities}

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        return [
            # The reason names the entity type only, never the value.
            self.finding(f"Answer contains personal data the customer did not give ({entity})", span)
            for entity, span in context.foreign_pii
            if not self.entities or entity.upper() in self.entities
        ]
