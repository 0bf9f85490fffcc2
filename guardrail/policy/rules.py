"""What every rule has in common, and the registry that maps a rule's `type`
to the check class that enforces it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from ..types import Action, Check, Finding, Severity
from .patterns import validate_pattern
from .texts import Texts

Stage = Literal["request", "answer"]


def _parse_severity(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Severity.parse(value)
        except KeyError:
            names = ", ".join(s.name.lower() for s in Severity)
            raise ValueError(f"unknown severity {value!r}; use one of {names}") from None
    return value


SeverityName = Annotated[Severity, BeforeValidator(_parse_severity), PlainSerializer(str)]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
LanguageKey = Annotated[str, Field(pattern=r"^(\*|[a-z]{2,3}(-[A-Za-z0-9]+)*)$")]


# Compiled by RE2 (patterns.py): linear time on any text, or rejected.
Pattern = Annotated[str, AfterValidator(validate_pattern)]


def _per_language(value: Any) -> Any:
    # A plain list means "whatever the language" (competitor names, brands).
    return {"*": value} if isinstance(value, list) else value


PhraseList = Annotated[
    dict[LanguageKey, list[Annotated[str, Field(min_length=1)]]], BeforeValidator(_per_language)
]
PatternList = Annotated[dict[LanguageKey, list[Pattern]], BeforeValidator(_per_language)]


def all_entries(by_language: dict[str, list[str]]) -> list[str]:
    """Phrases of every language: mixed-language answers are common, and a
    banned phrase stays banned whatever language the rest is in."""
    return [entry for entries in by_language.values() for entry in entries]


class RuleConfig(BaseModel):
    """Fields every rule has. Subclasses add `type: Literal[...]` and their own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId
    severity: SeverityName = Severity.MEDIUM
    # Overrides the set's severity -> action mapping for this rule's findings.
    action: Action | None = None
    # Evaluated and recorded, never enforced: for trying a rule on live traffic.
    shadow: bool = False
    enabled: bool = True
    description: str = ""


@dataclass(frozen=True)
class BuildEnv:
    """What a check may need from its set when it is built."""

    texts: Texts
    rules: tuple[RuleConfig, ...] = ()
    # guardrail.yaml's model_list: public name -> litellm params (the LLM
    # judge may only call these; a policy file never names a URL or a key).
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The semantic model and judge client (`semantic.SemanticResources`).
    semantic: Any = None


@dataclass(frozen=True)
class RuleType:
    name: str
    config: type[RuleConfig]
    factory: Callable[[Any, BuildEnv], Check]
    stage: Stage


REGISTRY: dict[str, RuleType] = {}


def register(name: str, config: type[RuleConfig], *, stage: Stage = "answer") -> Callable[[Any], Any]:
    """Class decorator: `@register("profanity", ProfanityConfig)` on a check class."""

    def decorate(cls: Any) -> Any:
        if name in REGISTRY:
            raise RuntimeError(f"rule type {name!r} registered twice")
        REGISTRY[name] = RuleType(name, config, cls, stage)
        cls.rule_type = name
        return cls

    return decorate


class RuleCheck:
    """Convenience base for checks: keeps the config and makes findings."""

    kind: ClassVar[str] = ""
    rule_type: ClassVar[str] = ""

    def __init__(self, config: Any, env: BuildEnv) -> None:
        self.config = config
        self.rule_id: str = config.id
        self.env = env

    def finding(
        self, reason: str, span: Any = None, *, kind: str | None = None, score: float | None = None
    ) -> Finding:
        return Finding(
            rule_id=self.rule_id,
            kind=kind or self.kind,
            severity=self.config.severity,
            reason=reason,
            span=span,
            score=score,
            shadow=self.config.shadow,
        )
