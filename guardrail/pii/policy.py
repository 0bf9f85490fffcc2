"""The `pii:` section of a policy file: which entities, how sure, and what to do.

Entity names are checked against the recognizers we ship, so a typo in a policy
is an error at load time instead of a silently unchecked entity.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from guardrail.pii.recognizers import SUPPORTED_ENTITIES, SUPPORTED_LANGUAGES


class PiiAction(StrEnum):
    PSEUDONYMIZE = "pseudonymize"  # reversible placeholder, restored in the answer
    REDACT = "redact"  # one-way: <REDACTED_EMAIL_ADDRESS>, never restored
    BLOCK = "block"  # the request is refused, naming the entity type


class EntityRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: PiiAction = PiiAction.PSEUDONYMIZE
    # Recognizer scores below this are ignored. 0.4 keeps Presidio's weak
    # "pattern only, no context" hits (0.05-0.3) out while keeping validated ones.
    threshold: float = Field(default=0.4, ge=0.0, le=1.0)


# What a policy gets when it says `entities: default`: the personal data a
# customer-service chat actually carries. LOCATION (countries, cities) and
# DATE_TIME are left out on purpose: masking them costs the model context and
# they identify nobody on their own.
DEFAULT_ENTITIES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "UK_NHS",
    "UK_NINO",
    "US_PASSPORT",
    "CRYPTO",
    # Chinese-speaking markets: mainland resident ID, Taiwan and Hong Kong IDs,
    # passport numbers and vehicle plates in Chinese text.
    "CN_RESIDENT_ID",
    "TW_NATIONAL_ID",
    "HK_ID_CARD",
    "PASSPORT_NUMBER",
    "LICENSE_PLATE",
)


class PiiPolicy(BaseModel):
    """Per-entity rules. No entities means: analyse nothing, pass text through.

    YAML accepts three spellings for `entities`:
      entities: default                      # DEFAULT_ENTITIES, pseudonymized
      entities: [PERSON, EMAIL_ADDRESS]       # listed, pseudonymized
      entities: {CREDIT_CARD: block, PERSON: {action: redact, threshold: 0.6}}
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    entities: dict[str, EntityRule] = Field(default_factory=dict)
    allow_list: tuple[str, ...] = ()
    # Recognizer families that may run; each text runs those of the
    # language(s) it is written in (guardrail/pii/routing.py).
    languages: tuple[str, ...] = ("en", "zh")

    @field_validator("entities", mode="before")
    @classmethod
    def _expand_entities(cls, value: Any) -> Any:
        if value is None:
            return {}
        if value == "default":
            return {name: {} for name in DEFAULT_ENTITIES}
        if isinstance(value, list | tuple):
            return {name: {} for name in value}
        if isinstance(value, dict):
            return {
                name: {"action": rule} if isinstance(rule, str) else (rule or {})
                for name, rule in value.items()
            }
        return value

    @field_validator("entities")
    @classmethod
    def _known_entities(cls, value: dict[str, EntityRule]) -> dict[str, EntityRule]:
        unknown = sorted(set(value) - SUPPORTED_ENTITIES)
        if unknown:
            raise ValueError(
                f"unknown PII entities {unknown}; supported: {sorted(SUPPORTED_ENTITIES)}"
            )
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - SUPPORTED_LANGUAGES)
        if unknown:
            raise ValueError(f"unsupported languages {unknown}")
        if not value:
            raise ValueError("at least one language is required")
        return value

    @model_validator(mode="after")
    def _clean_allow_list(self) -> PiiPolicy:
        object.__setattr__(
            self, "allow_list", tuple(term.strip() for term in self.allow_list if term.strip())
        )
        return self

    @classmethod
    def default(cls) -> PiiPolicy:
        return cls(entities="default")  # type: ignore[arg-type]

    @property
    def enabled(self) -> bool:
        return bool(self.entities)

    def rule(self, entity: str) -> EntityRule | None:
        return self.entities.get(entity)

    def is_allowed(self, value: str) -> bool:
        folded = value.strip().casefold()
        return any(folded == term.casefold() for term in self.allow_list)
