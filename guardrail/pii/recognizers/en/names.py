"""Personal names where customer-service text announces them.

spaCy's small model misses many names in exactly the places support mail puts
them: after a greeting ("Hi Sarah,"), in a sign-off ("Thanks,\\nJohn Smith"),
in an introduction ("my name is ..."), after a title or a relation ("spoke
to Priya"). These cues are cheap to match and very precise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrail.pii.recognizers.base import Candidate, Pattern, RegexRecognizer
from guardrail.pii.recognizers.en.words import (
    COMMON_CAPITALISED,
    GREETINGS,
    SIGN_OFFS,
    THANKS,
    TITLES,
)

_PREFIX = r"(?:Mc|Mac|O['’]|D['’])?"
_PART = rf"{_PREFIX}[A-Z][a-z]+(?:-{_PREFIX}[A-Z][a-z]+)?"
# A title belongs to the value ("Miss Ayesha Crimmins"): it narrows who it is.
_REST = rf"{_PART}(?:[ \t]+(?:[A-Z]\.|{_PART})){{0,2}}"
_NAME = rf"(?P<v>(?:{TITLES}\.?[ \t]+)?{_REST})"
_TITLED_NAME = rf"(?P<v>{TITLES}\.?[ \t]+{_REST})"
_ENDS = r"(?=[ \t]*(?:[,!.:;)\n]|$))"
_INTRODUCTIONS = (
    r"(?:my name is|my name's|name's|this is|i am|i'm|it's|its|it is|call me|signed|"
    r"full name(?: is)?|(?:customer |account |card ?holder )?name(?: on the (?:card|account))?"
    r"[ \t]*(?::|-(?=[ \t]))|beneficiary[ \t]*:?|(?:from|to|cc|attn)[ \t]*:|"
    r"(?:signed|sent|written|approved|authori[sz]ed|submitted|referred) by|"
    r"account holder[ \t]*:?|card ?holder[ \t]*:?|(?:account|booking|order) is under|"
    r"in the name of|named|called|under the name)"
)
_RELATIONS = (
    r"(?:spoke to|spoke with|talked to|talked with|talking to|talking with|speaking with|"
    r"speaking to|speak to|speak with|chat with|chatted with|chatting with|dealt with|"
    r"dealing with|emailed|messaged|texted|ask for|asked for|"
    r"agent|rep|representative|colleague|manager|technician|courier|driver|husband|wife|"
    r"son|daughter|partner|friend|mother|father|mum|mom|dad|brother|sister|neighbour|neighbor|"
    r"tell|ask|thank|remind|let|cc)"
)


class ContextNameRecognizer(RegexRecognizer):
    ENTITY = "PERSON"
    PATTERNS = (
        Pattern("greeting", rf"(?<![A-Za-z])(?i:{GREETINGS})[ \t]*,?[ \t]+{_NAME}{_ENDS}", 0.85),
        Pattern(
            "sign-off",
            rf"(?<![A-Za-z])(?i:{SIGN_OFFS})[ \t]*[,!.]?[ \t]*(?:\n[ \t]*)?{_NAME}"
            r"(?=[ \t]*(?:\n|$|[.!]))",
            0.85,
        ),
        # "Thanks John, that fixed it" / "Cheers Carol!": thanks as a greeting.
        Pattern(
            "thanks",
            rf"(?<![A-Za-z])(?i:{THANKS})[ \t]*,?[ \t]+{_NAME}(?=[ \t]*[,!.])",
            0.8,
        ),
        Pattern("introduction", rf"(?<![A-Za-z])(?i:{_INTRODUCTIONS})[ \t]+{_NAME}", 0.8),
        Pattern("title", rf"(?<![A-Za-z]){_TITLED_NAME}", 0.85),
        Pattern("relation", rf"(?<![A-Za-z])(?i:{_RELATIONS}),?[ \t]+{_NAME}", 0.6),
        # "Crystal and I share the account", "me and Tom"
        Pattern("and-i", rf"(?<![A-Za-z]){_NAME}[ \t]+and I(?![A-Za-z'’])", 0.7),
        # "Mark, Warwick and I": the first of a list ending in "and I".
        Pattern(
            "list-and-i",
            rf"(?<![A-Za-z]){_NAME}(?=(?:,[ \t]*{_REST})+,?[ \t]+and I(?![A-Za-z'’]))",
            0.6,
        ),
        Pattern("me-and", rf"(?<![A-Za-z])(?i:me and)[ \t]+{_NAME}", 0.6),
        # "Logan here again", at the start of a line.
        Pattern("here", rf"(?:^|(?<=\n))[ \t]*{_NAME}[ \t]+here(?![A-Za-z])", 0.8, re.MULTILINE),
        # "Could Danielle from your billing team call me"
        Pattern("from-team", rf"{_NAME}[ \t]+from[ \t]+(?:your|the|our)[ \t]", 0.6),
    )

    def candidates(self, text: str) -> Iterator[Candidate]:
        for candidate in super().candidates(text):
            trimmed = _trim_common_words(text, candidate)
            if trimmed is not None:
                yield trimmed


_WORD_RE = re.compile(r"\S+")
_TITLE_RE = re.compile(rf"{TITLES}\.?")


def _trim_common_words(text: str, candidate: Candidate) -> Candidate | None:
    """Drop words around the name that are not names ("Could Danielle",
    "Sarah Thanks"); nothing left ("Hi Team") means no name."""
    words = list(_WORD_RE.finditer(text, candidate.start, candidate.end))
    while words and words[-1].group(0).lower().rstrip(".") in COMMON_CAPITALISED:
        words.pop()
    while words and _is_common(words[0].group(0)) and not (
        _TITLE_RE.fullmatch(words[0].group(0)) and len(words) > 1
    ):
        words.pop(0)
    if not words:
        return None
    return Candidate(words[0].start(), words[-1].end(), candidate.score)


def _is_common(word: str) -> bool:
    return word.lower().rstrip(".") in COMMON_CAPITALISED
