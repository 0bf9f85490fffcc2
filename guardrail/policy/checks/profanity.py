"""Profanity, from better-profanity's maintained word list.

Only the list is used, not the library's matcher: `contains_profanity`
costs ~250 ms per 1 KB (it tries every spelling variant of every word), far
over our 5 ms budget. Our lexicon matches the same words with evasions in
one pass over the tokens.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Literal

from pydantic import Field

from ...types import CheckContext, Finding, Severity
from ..lexicon import Lexicon
from ..rules import BuildEnv, PhraseList, RuleCheck, RuleConfig, SeverityName, all_entries, register
from ..textview import view_of
from .phrases import MAX_FINDINGS_PER_RULE

# better-profanity's list is made for moderating user posts. These entries
# are ordinary words in some support answer ("kill the app", "a screw is
# missing", "facial cream", "chicken breasts", "Virgin Atlantic", "door knob",
# "the surname Wang", "HIV cover", identity terms), so they never count here.
# Insults, slurs and swearing stay in; a brand adds more with `allow_words`.
_ORDINARY = """
    god kill fat pot organ strip stroke screw screws screwed screwing pawn rum dummy hemp maxi
    womb ovary ovum ovums sandbar seaman seamen revue loin loins thrust uterus valium vodka
    weed wad xx len erect facial enlargement sex sexual nude naked breasts oral orally rectal
    penetrate penetration racy steamy urine urinal vomit opiate opium heroin meth sniper herpes
    hiv menses menstruate menstruation tampon pubic panties panty pantie undies teat teats
    testis testes testicle scrotum vulva vagina penis labia hymen nipple nipples virgin vixen
    knob dong slope paddy hump muff potty tinkle wang whiz weiner hookah reefer sperm semen
    rump lust stoned gay gays lesbians queer transsexual
"""
ORDINARY_WORDS = frozenset(_ORDINARY.split())


@cache
def library_words() -> tuple[str, ...]:
    """better-profanity's word list, read once from the installed package."""
    raw = files("better_profanity").joinpath("profanity_wordlist.txt").read_text("utf-8")
    return tuple(w.strip() for w in raw.splitlines() if w.strip() and "*" not in w)


class ProfanityConfig(RuleConfig):
    type: Literal["profanity"]
    severity: SeverityName = Severity.HIGH
    use_library_list: bool = True
    # Words to add (per language: Chinese profanity has no library list here).
    extra_words: PhraseList = Field(default_factory=dict)
    # Words of the library list the brand does not count as profanity.
    allow_words: list[str] = Field(default_factory=list)


@register("profanity", ProfanityConfig)
class Profanity(RuleCheck):
    kind = "profanity"

    def __init__(self, config: ProfanityConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        allowed = ORDINARY_WORDS | {w.lower() for w in config.allow_words}
        words = [w for w in library_words() if w.lower() not in allowed] if config.use_library_list else []
        self.lexicon = Lexicon([*words, *all_entries(config.extra_words)])

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        matches = list(self.lexicon.finditer(view_of(text)))[:MAX_FINDINGS_PER_RULE]
        # The reason does not repeat the word: reviewers see the span.
        return [self.finding("Uses profanity", m.span) for m in matches]
