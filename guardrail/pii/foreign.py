"""Which detections in an answer may be another customer's personal data.

An answer is mostly the model's own prose: a lone capitalised word the name
model tags PERSON there ("Tool said: Sunny, 21C") is far more often an
ordinary word than a stranger's name, and holding or blocking on it breaks
ordinary answers. So in answers a one-word person counts only when it is a
name and nothing else (census first names and surnames that are no English
word); anything longer, any other entity and any non-Latin name count as
detected. Detection of the request side is not affected: masking a word too
many costs little there.
"""

from __future__ import annotations

import re

from guardrail.pii.recognizers.en import lexicon

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def may_be_foreign(entity: str, value: str) -> bool:
    """Whether a detection of `entity` covering `value` in an answer can be
    someone's personal data."""
    if entity != "PERSON":
        return True
    word = value.strip()
    if not _LATIN_WORD.fullmatch(word):
        return True  # several words, initials, Han characters: as detected
    folded = word.lower()
    return folded in lexicon.first_names() or folded in lexicon.surnames()
