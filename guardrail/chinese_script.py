"""Traditional Chinese seen as Simplified, so one phrase list covers both.

A policy lists "保证" and the answer says "保證": both are matched after
OpenCC's Traditional-to-Simplified conversion (opencc-python-reimplemented,
pure Python, dictionaries in the package: no network). Phrase matching maps
spans back to the original text, so the conversion must keep every character
at its offset: when OpenCC's phrase-level conversion changes the length (a
few idioms do), each character is converted on its own instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from opencc import OpenCC

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_T2S = OpenCC("t2s")


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def to_simplified(text: str) -> str:
    """Same length as `text`; text without Han characters is returned as is."""
    if not has_han(text):
        return text
    converted = _T2S.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_char_to_simplified(ch) for ch in text)


@lru_cache(maxsize=8192)
def _char_to_simplified(ch: str) -> str:
    converted = _T2S.convert(ch)
    return converted if len(converted) == 1 else ch


def traditional_share(text: str) -> float:
    """Share of Han characters that are Traditional-only (change under t2s)."""
    han = [ch for ch in text if _HAN.match(ch)]
    if not han:
        return 0.0
    simplified = to_simplified("".join(han))
    changed = sum(a != b for a, b in zip(han, simplified, strict=True))
    return changed / len(han)
