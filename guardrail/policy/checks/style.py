"""Tone limits that are about form, not words: shouting, exclamation marks,
length and reading level."""

from __future__ import annotations

import re
from typing import Literal

import textstat
from pydantic import Field

from ...types import CheckContext, Finding, Severity, Span
from ..rules import RuleCheck, RuleConfig, SeverityName, register
from ..texts import language_candidates

_ACRONYMS = (
    "AI",
    "FAQ",
    "ID",
    "PDF",
    "PIN",
    "SMS",
    "URL",
    "VAT",
    "USA",
    "UK",
    "EU",
    "OK",
    "DHL",
    "UPS",
    "USPS",
    "IBAN",
    "CVV",
    "ETA",
    "ASAP",
    "FYI",
    "TV",
    "PC",
    "USB",
)
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z']+\b")
_LETTER = re.compile(r"[A-Za-z]")
_UPPER = re.compile(r"[A-Z]")
_WORD = re.compile(r"\S+")
_EXCLAMATION_RUN = re.compile(r"[!！]+")


class ShoutingConfig(RuleConfig):
    type: Literal["shouting"]
    severity: SeverityName = Severity.LOW
    # This many all-caps words in a row is shouting...
    max_caps_run: int = Field(default=3, ge=1)
    # ...and so is a text whose letters are mostly capitals.
    max_caps_ratio: float = Field(default=0.6, gt=0, le=1)
    min_letters: int = 20
    # Acronyms are not shouting.
    acronyms: list[str] = Field(default_factory=lambda: list(_ACRONYMS))


@register("shouting", ShoutingConfig)
class Shouting(RuleCheck):
    kind = "shouting"

    def __init__(self, config: ShoutingConfig, env: object) -> None:
        super().__init__(config, env)
        self.acronyms = {a.upper() for a in config.acronyms}

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        run: list[re.Match[str]] = []
        for m in _CAPS_WORD.finditer(text):
            if m.group() in self.acronyms:
                run = []
                continue
            # Consecutive means only spaces/punctuation between the words.
            if run and text[run[-1].end() : m.start()].strip(" ,;:-") != "":
                run = []
            run.append(m)
            if len(run) >= self.config.max_caps_run:
                span = Span(run[0].start(), run[-1].end())
                return [self.finding("Shouting: several words in capitals", span)]
        letters = len(_LETTER.findall(text))
        if letters >= self.config.min_letters:
            ratio = len(_UPPER.findall(text)) / letters
            if ratio > self.config.max_caps_ratio:
                return [self.finding(f"Shouting: {ratio:.0%} of letters are capitals", score=ratio)]
        return []


class ExclamationConfig(RuleConfig):
    type: Literal["exclamation"]
    severity: SeverityName = Severity.LOW
    max_total: int = Field(default=3, ge=0)
    max_in_a_row: int = Field(default=1, ge=1)


@register("exclamation", ExclamationConfig)
class Exclamation(RuleCheck):
    kind = "exclamation"

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        runs = list(_EXCLAMATION_RUN.finditer(text))
        for m in runs:
            if len(m.group()) > self.config.max_in_a_row:
                return [self.finding("Too many exclamation marks in a row", Span(m.start(), m.end()))]
        total = sum(len(m.group()) for m in runs)
        if total > self.config.max_total:
            return [self.finding(f"Too many exclamation marks ({total}, at most {self.config.max_total})")]
        return []


class LengthConfig(RuleConfig):
    type: Literal["length"]
    severity: SeverityName = Severity.LOW
    min_chars: int = Field(default=0, ge=0)
    max_chars: int | None = Field(default=None, ge=1)
    max_words: int | None = Field(default=None, ge=1)


@register("length", LengthConfig)
class Length(RuleCheck):
    kind = "length"

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        size = len(text.strip())
        if size < self.config.min_chars:
            return [self.finding(f"Answer too short ({size} characters, at least {self.config.min_chars})")]
        if self.config.max_chars is not None and size > self.config.max_chars:
            return [self.finding(f"Answer too long ({size} characters, at most {self.config.max_chars})")]
        if self.config.max_words is not None:
            words = sum(1 for _ in _WORD.finditer(text))
            if words > self.config.max_words:
                return [self.finding(f"Answer too long ({words} words, at most {self.config.max_words})")]
        return []


class ReadingLevelConfig(RuleConfig):
    type: Literal["reading_level"]
    severity: SeverityName = Severity.LOW
    # US school grade (Coleman-Liau index); 12 ~ end of high school.
    max_grade: float = 12.0
    # Short answers give meaningless grades.
    min_words: int = Field(default=40, ge=1)
    languages: list[str] = Field(default_factory=lambda: ["en"])


@register("reading_level", ReadingLevelConfig)
class ReadingLevel(RuleCheck):
    """Coleman-Liau counts letters, not syllables: textstat's syllable-based
    indexes load NLTK's cmudict and download it when missing, which we never
    want at run time (and the index is cheaper)."""

    kind = "reading_level"

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        if not set(self.config.languages).intersection(language_candidates(context.language)):
            return []
        if sum(1 for _ in _WORD.finditer(text)) < self.config.min_words:
            return []
        grade = float(textstat.coleman_liau_index(text))
        if grade <= self.config.max_grade:
            return []
        return [
            self.finding(f"Hard to read (grade {grade:.1f}, at most {self.config.max_grade:g})", score=grade)
        ]
