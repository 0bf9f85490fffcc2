"""Negativity and rudeness toward the customer.

Two signals: explicit rude wordings ("calm down", "as I already said"), and
sentences that address the customer ("you", "your") with a strongly
negative VADER sentiment. Apologies are negative too ("sorry your parcel
was damaged") but kind, so sentences with an apology marker are exempt from
the sentiment signal. VADER is English; other languages use the phrases.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from ...types import CheckContext, Finding, Severity, Span
from ..rules import BuildEnv, PhraseList, SeverityName, all_entries, register
from ..texts import language_candidates
from .phrases import MAX_FINDINGS_PER_RULE, PhraseCheck, PhraseRuleConfig

_ADDRESSING = ("you", "your", "you're", "youre", "yours", "yourself")
_APOLOGY = (
    "sorry",
    "apologise",
    "apologize",
    "apologies",
    "unfortunately",
    "understand",
    "regret",
    "frustrating",
    "inconvenience",
)
_NEUTRAL = (
    "kill",
    "killed",
    "stuck",
    "crash",
    "crashed",
    "error",
    "errors",
    "lost",
    "damaged",
    "broken",
    "problem",
    "problems",
    "issue",
    "issues",
    "fail",
    "failed",
    "failure",
    "declined",
    "delay",
    "delayed",
    "missing",
    "cancel",
    "cancelled",
    "canceled",
    "complaint",
    "wrong",
)
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")


class RudenessConfig(PhraseRuleConfig):
    type: Literal["rudeness"]
    severity: SeverityName = Severity.MEDIUM
    # A sentence at or below this VADER compound score (-1..1) is flagged.
    max_negativity: float = Field(default=-0.6, ge=-1.0, le=1.0)
    sentiment_languages: list[str] = Field(default_factory=lambda: ["en"])
    # Only sentences that address the customer count for sentiment.
    addressing: PhraseList = Field(default_factory=lambda: {"en": list(_ADDRESSING)})
    apology_markers: PhraseList = Field(default_factory=lambda: {"en": list(_APOLOGY)})
    # Support vocabulary VADER reads as hostile ("kill the app", "parcel lost"):
    # left out of the sentiment score, since it describes the problem, not the customer.
    neutral_words: list[str] = Field(default_factory=lambda: list(_NEUTRAL))


@register("rudeness", RudenessConfig)
class Rudeness(PhraseCheck):
    kind = "rudeness"
    reason = "Rude toward the customer ({label})"

    def __init__(self, config: RudenessConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        # Plain word lists, matched per sentence: no evasions to undo here.
        self.addressing = _words_regex(all_entries(config.addressing))
        self.apology = _words_regex(all_entries(config.apology_markers))
        self.languages = {lang.lower() for lang in config.sentiment_languages}
        # Built once per set: it loads VADER's lexicon from the package, no network.
        self.vader = SentimentIntensityAnalyzer()
        words = "|".join(re.escape(w) for w in config.neutral_words)
        self.neutral = re.compile(rf"\b(?:{words})\b", re.IGNORECASE) if words else None

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        findings = super().check(text, context)
        if self.languages.intersection(language_candidates(context.language)):
            findings += self._negative_sentences(text)
        return findings[:MAX_FINDINGS_PER_RULE]

    def _negative_sentences(self, text: str) -> list[Finding]:
        findings = []
        for m in _SENTENCE.finditer(text):
            sentence = m.group()
            if not self.addressing.search(sentence) or self.apology.search(sentence):
                continue
            sentence = self.neutral.sub("", sentence) if self.neutral else sentence
            score = self.vader.polarity_scores(sentence)["compound"]
            if score <= self.config.max_negativity:
                findings.append(
                    self.finding(
                        f"Strongly negative sentence addressed to the customer (sentiment {score:.2f})",
                        Span(m.start(), m.end()),
                        kind="negativity",
                        score=score,
                    )
                )
        return findings


def _words_regex(words: list[str]) -> re.Pattern[str]:
    """Whole words, case-insensitive; never matches when the list is empty."""
    if not words:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(w.replace("\u2019", "'")) for w in words)
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])", re.IGNORECASE)
