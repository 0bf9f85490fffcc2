"""The placeholder format, and how customer text is kept from forging it.

`<PERSON_1>` survives every model we tried (angle brackets, upper-case type,
number): they copy it verbatim and can reason about "PERSON_1". It is made
unforgeable not by secrecy but by neutralising: before analysis every
placeholder-shaped run in incoming text gets its brackets swapped for the look-
alike guillemets, so the only `<TYPE_N>` strings upstream are ones we wrote.
"""

from __future__ import annotations

import re

# A pseudonym: <ENTITY_TYPE_N>. Entity types are upper-case words joined by "_".
PLACEHOLDER_RE = re.compile(r"<([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)_([1-9][0-9]{0,5})>")
# What a stream may be in the middle of writing: "<", "<PERS", "<PERSON_1" ...
PARTIAL_PLACEHOLDER_RE = re.compile(r"<(?:[A-Z][A-Z0-9_]*)?\Z")
# Longest a placeholder can be; past this a "<..." run cannot become one.
MAX_PLACEHOLDER_LEN = 64

# Anything a model might read as a placeholder, in any case and spacing.
_FORGEABLE_RE = re.compile(r"<\s*([A-Za-z][A-Za-z0-9_]*_\d+|REDACTED_[A-Za-z0-9_]+)\s*>")
_NEUTRAL_OPEN, _NEUTRAL_CLOSE = "\u2039", "\u203a"  # ‹ ›


def placeholder(label: str) -> str:
    return f"<{label}>"


def label_for(entity: str, number: int) -> str:
    return f"{entity}_{number}"


def redacted(entity: str) -> str:
    return f"<REDACTED_{entity}>"


def neutralise(text: str) -> str:
    """Swap the brackets of placeholder-shaped runs for look-alikes.

    Same length in and out, so analysis offsets stay valid.
    """
    if "<" not in text:
        return text
    return _FORGEABLE_RE.sub(
        lambda m: _NEUTRAL_OPEN + m.group(0)[1:-1] + _NEUTRAL_CLOSE, text
    )
