"""Brand vocabulary: banned phrases, required phrases, competitor mentions,
blaming the customer, promises the brand may not make."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...types import CheckContext, Finding, Span
from ..rules import BuildEnv, PhraseList, register
from ..texts import language_candidates
from .approved import ApprovedCatalog
from .phrases import PhraseCheck, PhraseMatcher, PhraseRuleConfig


class BannedPhrasesConfig(PhraseRuleConfig):
    type: Literal["banned_phrases"]


@register("banned_phrases", BannedPhrasesConfig)
class BannedPhrases(PhraseCheck):
    kind = "banned_phrase"
    reason = "Uses a phrase the brand does not use: {label}"


class CompetitorsConfig(PhraseRuleConfig):
    type: Literal["competitor_mentions"]


@register("competitor_mentions", CompetitorsConfig)
class CompetitorMentions(PhraseCheck):
    kind = "competitor_mention"
    reason = "Mentions a competitor: {label}"


class BlameConfig(PhraseRuleConfig):
    type: Literal["customer_blame"]


@register("customer_blame", BlameConfig)
class CustomerBlame(PhraseCheck):
    kind = "customer_blame"
    reason = "Blames the customer ({label})"


class PromisesConfig(PhraseRuleConfig):
    type: Literal["forbidden_promises"]
    # Wordings that look like a promise but are approved ("within 5-7 business days").
    exceptions: PhraseList = Field(default_factory=dict)
    # A promise inside an answer that matches an approved message is approved.
    allow_in_approved_messages: bool = True


@register("forbidden_promises", PromisesConfig)
class ForbiddenPromises(PhraseCheck):
    kind = "forbidden_promise"
    reason = "Makes a promise the brand may not make: {label}"

    def __init__(self, config: PromisesConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        self.exceptions = PhraseMatcher(config.exceptions, {})
        self.catalog = ApprovedCatalog.from_rules(env.rules) if config.allow_in_approved_messages else None

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        findings = super().check(text, context)
        if not findings:
            return findings
        if self.catalog is not None and self.catalog.approves(text, context):
            return []
        allowed = [span for _, span in self.exceptions.matches(text)] if self.exceptions else []
        return [f for f in findings if f.span is None or not _inside(f.span, allowed)]


def _inside(span: Span, allowed: list[Span]) -> bool:
    return any(a.start <= span.start and span.end <= a.end for a in allowed)


class RequiredPhrasesConfig(PhraseRuleConfig):
    type: Literal["required_phrases"]
    # any: at least one listed phrase must appear; all: every one must.
    mode: Literal["any", "all"] = "any"
    # Only judge answers of at least this many characters (short replies
    # such as "You're welcome!" need no sign-off).
    min_length: int = 0


@register("required_phrases", RequiredPhrasesConfig)
class RequiredPhrases(PhraseCheck):
    kind = "required_phrase_missing"

    def __init__(self, config: RequiredPhrasesConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        # Required phrases are per language: a Chinese answer cannot contain
        # the English sign-off. Each phrase gets its own matcher to count it.
        self.by_language: dict[str, list[PhraseMatcher]] = {}
        for lang, phrases in config.phrases.items():
            self.by_language.setdefault(lang, []).extend(PhraseMatcher({"*": [p]}, {}) for p in phrases)
        for lang, patterns in config.patterns.items():
            self.by_language.setdefault(lang, []).extend(PhraseMatcher({}, {"*": [p]}) for p in patterns)

    def _required(self, language: str) -> list[PhraseMatcher]:
        for candidate in language_candidates(language):
            if candidate in self.by_language:
                return self.by_language[candidate] + self.by_language.get("*", [])
        return self.by_language.get("*", [])

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        required = self._required(context.language)
        if len(text) < self.config.min_length or not required:
            return []
        present = [bool(m.matches(text)) for m in required]
        missing = not any(present) if self.config.mode == "any" else not all(present)
        if not missing:
            return []
        what = (
            "any of the required phrases"
            if self.config.mode == "any"
            else f"{present.count(False)} required phrase(s)"
        )
        return [self.finding(f"Answer lacks {what}")]
