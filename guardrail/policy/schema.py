"""The shape of a policy file, validated with pydantic (unknown keys are errors).

A file is either a set manifest (it has `set:` and may `include:` shared
files) or a fragment that manifests include. Both may hold any section.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guardrail.pii.policy import PiiPolicy

from ..types import Action, Severity
from . import checks  # noqa: F401  (registers every rule type before the union is built)
from .rules import REGISTRY, LanguageKey, RuleConfig, RuleId, SeverityName
from .texts import TextKey

_RULE_MODELS = tuple(rule_type.config for rule_type in REGISTRY.values())
AnyRule = Annotated[Union[_RULE_MODELS], Field(discriminator="type")]  # noqa: UP007


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RiskMap(_Strict):
    """Severity of a finding -> what happens to the answer."""

    info: Action = Action.ALLOW
    low: Action = Action.ALLOW
    medium: Action = Action.HOLD
    high: Action = Action.HOLD
    critical: Action = Action.BLOCK

    def action_for(self, severity: Severity) -> Action:
        return Action(getattr(self, severity.name.lower()))


class HoldSettings(_Strict):
    # wait: the request stays open until a decision or wait_seconds;
    # async: the app gets the holding text and a hold id at once.
    mode: Literal["wait", "async"] = "wait"
    wait_seconds: float = Field(default=30.0, gt=0, le=600)
    review_deadline_seconds: float = Field(default=3600.0, gt=0)
    # What the customer gets when nobody decided in time: the fallback text,
    # the holding text (review continues), or the original answer unreviewed.
    timeout_outcome: Literal["fallback", "holding", "release"] = "fallback"


class RuleOverride(_Strict):
    """A set's changes to a shared rule: try it in shadow, tone it down, turn it off."""

    enabled: bool | None = None
    shadow: bool | None = None
    severity: SeverityName | None = None
    action: Action | None = None


class PolicyFile(_Strict):
    set: RuleId | None = None
    description: str = ""
    # Files (globs, relative to the policy directory) whose sections this set uses.
    include: list[str] = Field(default_factory=list)
    rules: list[AnyRule] = Field(default_factory=list)
    overrides: dict[RuleId, RuleOverride] = Field(default_factory=dict)
    texts: dict[TextKey, dict[LanguageKey, Annotated[str, Field(min_length=1)]]] = {}
    risk: RiskMap | None = None
    hold: HoldSettings | None = None
    # The `pii:` section: the PII service's own model, validated with the rest.
    pii: PiiPolicy | None = None

    @model_validator(mode="after")
    def _manifest_only_fields(self) -> PolicyFile:
        if self.set is None and self.include:
            raise ValueError("'include' is only allowed in a set manifest (a file with 'set:')")
        if self.set is None and self.overrides:
            raise ValueError("'overrides' is only allowed in a set manifest (a file with 'set:')")
        return self


def override(rule: RuleConfig, change: RuleOverride) -> RuleConfig:
    return rule.model_copy(update=change.model_dump(exclude_none=True))
