"""The English name lexicon: census first names and surnames, shipped as text
files built by `bench/build_name_lexicon.py` (its docstring says from what)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def _load(name: str) -> frozenset[str]:
    text = files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(text.split())


def first_names() -> frozenset[str]:
    """First names that are no ordinary English word (Sarah, Brandon)."""
    return _load("first_names.txt")


def first_names_words() -> frozenset[str]:
    """First names that are also ordinary words (Will, Grace, Mark, June)."""
    return _load("first_names_words.txt")


def surnames() -> frozenset[str]:
    """Surnames that are no ordinary English word (Cronin, McLaughlin)."""
    return _load("surnames.txt")


def surnames_words() -> frozenset[str]:
    """Surnames that are also ordinary words (Mason, Hall, Young)."""
    return _load("surnames_words.txt")
