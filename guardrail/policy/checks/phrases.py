"""The shared machinery of phrase-list rules: literal phrases (evasion-aware)
plus optional regular expressions, both per language."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ...types import CheckContext, Finding, Span
from ..lexicon import Lexicon
from ..patterns import PolicyPattern
from ..rules import BuildEnv, PatternList, PhraseList, RuleCheck, RuleConfig, all_entries
from ..textview import view_of

# One finding per occurrence is noise for a reviewer past a handful.
MAX_FINDINGS_PER_RULE = 5


class PhraseRuleConfig(RuleConfig):
    # Literal phrases: word-aware, case-insensitive, through simple evasions.
    phrases: PhraseList = Field(default_factory=dict)
    # Regular expressions, case-insensitive, on the text as written.
    patterns: PatternList = Field(default_factory=dict)


class PhraseMatcher:
    def __init__(self, phrases: dict[str, list[str]], patterns: dict[str, list[str]]) -> None:
        self.lexicon = Lexicon(all_entries(phrases))
        self.patterns = [PolicyPattern(p, ignore_case=True) for p in all_entries(patterns)]

    def __bool__(self) -> bool:
        return bool(self.lexicon or self.patterns)

    def matches(self, text: str) -> list[tuple[str, Span]]:
        """(plain-words label, span) of each match, in text order."""
        found: list[tuple[str, Span]] = []
        if self.lexicon:
            found += [(f"'{m.phrase}'", m.span) for m in self.lexicon.finditer(view_of(text))]
        for n, pattern in enumerate(self.patterns, 1):
            found += [(f"pattern #{n}", Span(m.start(), m.end())) for m in pattern.finditer(text)]
        found.sort(key=lambda item: item[1].start)
        return found


class PhraseCheck(RuleCheck):
    """Flags each occurrence of a listed phrase. Subclasses name the kind and
    say in `reason` what an occurrence means, in words a reviewer reads."""

    reason: ClassVar[str] = "Listed phrase used: {label}"

    def __init__(self, config: PhraseRuleConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        self.matcher = PhraseMatcher(config.phrases, config.patterns)

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        matches = self.matcher.matches(text)[:MAX_FINDINGS_PER_RULE]
        return [self.finding(self.reason.format(label=label), span) for label, span in matches]
