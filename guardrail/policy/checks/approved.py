"""Approved messages for governed topics (refunds, pricing, legal, closure).

When the customer's request or the answer is about a governed topic, the
answer must match one of the topic's approved messages closely enough
(RapidFuzz ratio, with slot values such as order numbers abstracted away).
Otherwise it is held with the closest approved messages as suggestions, or,
where the policy says so, replaced by the closest one with its slots filled.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from rapidfuzz import fuzz, process

from ...types import Action, CheckContext, Finding
from ..lexicon import Lexicon
from ..patterns import PolicyPattern, validate_pattern
from ..rules import (
    BuildEnv,
    LanguageKey,
    PatternList,
    PhraseList,
    RuleCheck,
    RuleConfig,
    RuleId,
    all_entries,
    register,
)
from ..texts import pick
from ..textview import view_of

Score = Annotated[int, Field(ge=0, le=100)]
SlotName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]
_SPACES = re.compile(r"\s+")


def _any_language(value: Any) -> Any:
    return {"*": value} if isinstance(value, str) else value


class TopicConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    keywords: PhraseList = Field(default_factory=dict)
    patterns: PatternList = Field(default_factory=dict)
    # Example requests; a text containing most of an example's words is on topic.
    examples: PhraseList = Field(default_factory=dict)
    example_similarity: Score = 85
    detect_in: list[Literal["request", "answer"]] = ["request", "answer"]


class MessageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId
    text: Annotated[dict[LanguageKey, str], BeforeValidator(_any_language)]


class ApprovedMessagesConfig(RuleConfig):
    type: Literal["approved_messages"]
    topic: TopicConfig
    # Slot name -> regex finding its value in the answer or the request.
    slots: dict[SlotName, str] = Field(default_factory=dict)
    messages: list[MessageConfig] = Field(min_length=1)
    min_similarity: Score = 85
    on_mismatch: Literal["hold", "replace"] = "hold"
    # Greetings and sign-offs removed before comparing with approved messages.
    ignore_patterns: PatternList = Field(default_factory=dict)
    suggestions: int = Field(default=3, ge=1, le=10)

    @field_validator("slots")
    @classmethod
    def _slot_patterns_compile(cls, slots: dict[str, str]) -> dict[str, str]:
        for name, pattern in slots.items():
            try:
                validate_pattern(pattern)
            except ValueError as exc:
                raise ValueError(f"slot {name!r}: {exc}") from None
        return slots

    @field_validator("messages")
    @classmethod
    def _slots_are_defined(cls, messages: list[MessageConfig], info: Any) -> list[MessageConfig]:
        slots = info.data.get("slots", {})
        for message in messages:
            for text in message.text.values():
                for name in _slot_names(text):
                    if name not in slots:
                        raise ValueError(
                            f"message {message.id!r} uses slot {{{name}}} but the rule's "
                            f"'slots' section defines no pattern for it"
                        )
        return messages


def _slot_names(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


class Topic:
    def __init__(self, config: TopicConfig) -> None:
        self.config = config
        self.keywords = Lexicon(all_entries(config.keywords))
        self.patterns = [PolicyPattern(p, ignore_case=True) for p in all_entries(config.patterns)]
        self.examples = [e.lower() for e in all_entries(config.examples)]

    def about(self, text: str) -> bool:
        if not text:
            return False
        if self.keywords and self.keywords.search(view_of(text)) is not None:
            return True
        if any(p.search(text) for p in self.patterns):
            return True
        if not self.examples:
            return False
        # One call: the text is tokenised once for all examples, and the
        # cutoff lets RapidFuzz stop early (same result as comparing each).
        best = process.extractOne(
            text.lower(),
            self.examples,
            scorer=fuzz.token_set_ratio,
            score_cutoff=self.config.example_similarity,
        )
        return best is not None


class ApprovedMessages:
    """The approved messages of one rule, compared with an answer."""

    def __init__(self, config: ApprovedMessagesConfig) -> None:
        self.config = config
        self.slots = {name: PolicyPattern(p) for name, p in config.slots.items()}
        self.ignore = [PolicyPattern(p, ignore_case=True) for p in all_entries(config.ignore_patterns)]

    def _comparable(self, text: str) -> str:
        for pattern in self.ignore:
            text = pattern.sub(" ", text)
        for name, pattern in self.slots.items():
            text = pattern.sub("{" + name + "}", text)
        return _SPACES.sub(" ", text).strip().lower()

    def ranked(self, text: str, language: str) -> list[tuple[float, MessageConfig, str]]:
        """(score 0..100, message, template in the answer's language), best first."""
        answer = self._comparable(text)
        scored = []
        for message in self.config.messages:
            template = pick(message.text, language) or ""
            reference = _SPACES.sub(" ", template).strip().lower()
            scored.append((fuzz.ratio(answer, reference), message, template))
        scored.sort(key=lambda item: item[0], reverse=True)
        return scored

    def fill(self, template: str, sources: Iterable[str]) -> tuple[str, bool]:
        """Template with the slots we could find filled; False if any is left."""
        values: dict[str, str] = {}
        for name in _slot_names(template):
            for source in sources:
                m = self.slots[name].search(source)
                if m:
                    values[name] = m.group(1) if m.groups() else m.group()
                    break
        complete = all(name in values for name in _slot_names(template))
        return template.format_map(_Keep(values)), complete


class _Keep(dict[str, str]):
    """Leaves unfilled slots as `{name}` for a reviewer to complete."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class ApprovedCatalog:
    """Every approved-message rule of a set: lets other rules ask whether an
    answer is an approved message (an approved promise is no violation)."""

    def __init__(self, rules: list[ApprovedMessages]) -> None:
        self.rules = rules

    @classmethod
    def from_rules(cls, configs: Iterable[RuleConfig]) -> ApprovedCatalog:
        return cls(
            [ApprovedMessages(c) for c in configs if isinstance(c, ApprovedMessagesConfig) and c.enabled]
        )

    def approves(self, text: str, context: CheckContext) -> bool:
        return any(
            rule.ranked(text, context.language)[0][0] >= rule.config.min_similarity for rule in self.rules
        )


@register("approved_messages", ApprovedMessagesConfig)
class ApprovedMessagesCheck(RuleCheck):
    kind = "unapproved_message"

    def __init__(self, config: ApprovedMessagesConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        self.topic = Topic(config.topic)
        self.messages = ApprovedMessages(config)
        self.default_action = Action.MODIFY if config.on_mismatch == "replace" else Action.HOLD
        self.catalog = ApprovedCatalog.from_rules(r for r in env.rules if r.id != config.id)

    def _on_topic(self, text: str, context: CheckContext) -> bool:
        where = self.config.topic.detect_in
        return ("request" in where and self.topic.about(context.customer_text)) or (
            "answer" in where and self.topic.about(text)
        )

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        if not self._on_topic(text, context):
            return []
        best = self.messages.ranked(text, context.language)[0][0]
        if best >= self.config.min_similarity or self.catalog.approves(text, context):
            # An answer that is another topic's approved message is approved
            # too ("we'll refund the difference" in the price-match message).
            return []
        reason = (
            f"Answer on governed topic '{self.config.topic.name}' matches no approved "
            f"message (closest {best:.0f}/100, needs {self.config.min_similarity})"
        )
        return [self.finding(reason, score=round(best / 100, 3))]

    def remedy(self, text: str, context: CheckContext) -> str | None:
        """The closest approved message with its slots filled; None if a slot
        has no value to fill it with (then the answer is held instead)."""
        _, _, template = self.messages.ranked(text, context.language)[0]
        filled, complete = self.messages.fill(template, (text, context.customer_text))
        return filled if complete else None

    def suggest(self, text: str, context: CheckContext) -> list[str]:
        """Approved messages for a reviewer, stored with the hold: their slots
        are filled from the de-identified answer and request only, so a
        suggestion holds placeholders, restored on release like the answer."""
        ranked = self.messages.ranked(text, context.language)[: self.config.suggestions]
        source = context.answer_source if context.answer_source is not None else text
        return [self.messages.fill(t, (source, context.customer_text))[0] for _, _, t in ranked]
