"""Street addresses (US, UK, Ireland, Canada, Australia, New Zealand), one or many lines.

Two kinds of anchor are found first: a street line (house number, capitalised
name words, a street type, maybe a unit) and a postal line (US state + ZIP,
UK/Canadian postcode, Australian state + postcode). Each anchor then grows over
the neighbouring comma- or newline-separated pieces that read like address
lines (unit lines, capitalised place names, postcodes), so a multi-line
address is masked as one entity and no town or street name is left behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrail.pii.recognizers.base import Candidate, Pattern, RegexRecognizer
from guardrail.pii.recognizers.en.words import (
    AU_STATES,
    CA_PROVINCES,
    COMMON_CAPITALISED,
    STREET_TYPES,
    UNIT_WORDS,
    US_STATES,
)

_TYPES = "|".join(sorted((re.escape(t) for t in STREET_TYPES), key=len, reverse=True))
# Lower-case street lines ("12 oak street") only with types that are no everyday words.
_STRONG_TYPES = (
    "street|st|road|rd|avenue|ave|lane|ln|drive|boulevard|blvd|court|crescent|terrace|"
    "highway|parkway|close|way|place"
)
_NUMBER = r"[0-9]{1,5}[A-Za-z]?(?:[/-][0-9]{1,5}[A-Za-z]?)?"
_CAP_WORD = r"(?:[A-Z][A-Za-z'’.-]*|[0-9]{1,3}(?:st|nd|rd|th))"
_ANY_WORD = r"(?:[A-Za-z][A-Za-z'’.-]*|[0-9]{1,3}(?:st|nd|rd|th))"
_UNIT = rf"{UNIT_WORDS}(?![A-Za-z])\.?\s*[A-Za-z0-9-]{{1,6}}(?![A-Za-z0-9])"
_DIRECTION = r"(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)(?![A-Za-z0-9]))?"
_TAIL_UNIT = rf"(?:,?[ \t]*{_UNIT})?"

_STREET_CAPITALISED = (
    rf"(?<![A-Za-z0-9])(?:{_UNIT},?\s+)?{_NUMBER},?[ \t]+(?:{_CAP_WORD}[ \t]+){{1,4}}"
    rf"(?i:{_TYPES})\.?(?![A-Za-z]){_DIRECTION}{_TAIL_UNIT}"
)
_STREET_LOWERCASE = (
    rf"(?<![A-Za-z0-9]){_NUMBER}[ \t]+(?:{_ANY_WORD}[ \t]+){{1,3}}"
    rf"(?i:{_STRONG_TYPES})\.?(?![A-Za-z]){_TAIL_UNIT}"
)
_UK_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][ABD-HJLNP-UW-Z]{2}"
_CA_POSTCODE = r"[ABCEGHJ-NPRSTVXY][0-9][A-Z]\s?[0-9][A-Z][0-9]"
_IE_EIRCODE = r"[ACDEFHKNPRTVWXY][0-9]{2}\s?[0-9ACDEFHKNPRTVWXY]{4}"
_PO_BOX = r"(?<![A-Za-z0-9])(?:P\.?\s?O\.?|Post Office|Private Bag|Locked Bag|PMB)\s*Box\s+[0-9]{1,6}"
_POSTAL_PATTERNS = (
    rf"(?<![A-Za-z0-9])(?:(?:{'|'.join(sorted(US_STATES))})\s+[0-9]{{5}}(?:-[0-9]{{4}})?)(?![0-9])",
    rf"(?<![A-Za-z0-9])(?:(?:{'|'.join(sorted(AU_STATES))}),?\s+[0-9]{{4}})(?![0-9])",
    rf"(?<![A-Za-z0-9])(?:(?:{'|'.join(sorted(CA_PROVINCES))})\s+)?{_CA_POSTCODE}(?![A-Za-z0-9])",
    rf"(?<![A-Za-z0-9]){_UK_POSTCODE}(?![A-Za-z0-9])",
)

_SEPARATOR_BEFORE = re.compile(r"[,\n]\s*$|^\s*$")
_LINE_WORD_RE = re.compile(r"[A-Za-z0-9'’./#-]+")
_CONNECTORS = frozenset({"of", "the", "upon", "on", "by", "de", "la", "le", "du", "and", "c/o"})
_UNIT_LINE_RE = re.compile(rf"{_UNIT}(?:\s+Box\s+[0-9]+)?|RD\s+[0-9]{{1,2}}|[A-Z]{{2,4}}\s+[A-Z][a-z]+", re.I)
_PLACE_RE = re.compile(
    rf"{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,3}}(?:,?\s+(?:[A-Z]{{2,3}}|[0-9]{{4,5}})(?![A-Za-z0-9])){{0,2}}"
)
_FORWARD_SEP_RE = re.compile(r"[ \t]*(?:,[ \t]*\n?|\n)[ \t]*|[ \t]+")
_POSTAL_RE = re.compile("|".join(f"(?:{p})" for p in _POSTAL_PATTERNS))
_SEGMENT_END_RE = re.compile(r"\s*(?:[,\n.;!?)]|$)|\s+[a-z]")
# Irish Eircodes are too loose to anchor on, but follow a street line.
_EIRCODE_RE = re.compile(rf"{_IE_EIRCODE}(?![A-Za-z0-9])(?:\s+{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}})?")
_MAX_LINES = 4
_MAX_LINE_CHARS = 48


class StreetAddressRecognizer(RegexRecognizer):
    ENTITY = "STREET_ADDRESS"
    PATTERNS = (
        Pattern("street", _STREET_CAPITALISED, 0.75),
        Pattern("street-lowercase", _STREET_LOWERCASE, 0.6, re.IGNORECASE),
        Pattern("po-box", _PO_BOX, 0.6, re.IGNORECASE),
        *(Pattern("postal", p, 0.5) for p in _POSTAL_PATTERNS),
    )
    CONTEXT = ("address", "live", "ship", "deliver", "delivery", "send", "street", "moved", "post")

    def candidates(self, text: str) -> Iterator[Candidate]:
        spans: list[Candidate] = []
        for pattern, regex in self._compiled:
            for match in regex.finditer(text):
                start, end = match.span()
                if pattern.name == "postal" and not _postal_plausible(match.group(0)):
                    continue
                new_start = _grow_backward(text, start)
                new_end = _grow_forward(text, end)
                score = pattern.score
                if pattern.name == "postal" and (new_start, new_end) != (start, end):
                    score = 0.7  # a postcode with its town/street lines is an address
                spans.append(Candidate(new_start, new_end, score))
        yield from _merge(text, spans)


def _postal_plausible(value: str) -> bool:
    head = value.split()[0].rstrip(",")
    if head.isalpha() and head.isupper() and len(head) <= 3 and head not in (
        US_STATES | AU_STATES | CA_PROVINCES
    ):
        return not value[len(head) :].strip()[:1].isdigit()
    return True


def _is_address_line(segment: str) -> bool:
    """A comma/newline piece that reads like part of an address."""
    stripped = segment.strip()
    if not stripped or len(stripped) > _MAX_LINE_CHARS or stripped.endswith(":"):
        return False
    words = _LINE_WORD_RE.findall(stripped)
    if not words or len(words) > 6:
        return False
    if all(w.lower().rstrip(".") in COMMON_CAPITALISED for w in words if w[0].isalpha()):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _CONNECTORS for w in words)


def _trailing_capitalised(segment: str) -> int:
    """Length of the run of capitalised words ending `segment` ("... to Port Maxfort")."""
    words = list(_LINE_WORD_RE.finditer(segment))
    start = len(segment)
    for word in reversed(words):
        token = word.group(0)
        if not (token[0].isupper() or token[0].isdigit()):
            break
        if token.lower().rstrip(".") in COMMON_CAPITALISED:
            break
        start = word.start()
    return len(segment) - start if start < len(segment) else 0


def _grow_backward(text: str, start: int) -> int:
    # The part of the anchor's own line before it ("Andreaborough, " / "FPO ").
    line_start = max(text.rfind(ch, 0, start) for ch in "\n,:") + 1
    head = text[line_start:start]
    if head.strip():
        run = _trailing_capitalised(head)
        if run == 0 or head[: len(head) - run].strip():
            return start - run if run else start
        start = line_start + (len(head) - len(head.lstrip()))
    for _ in range(_MAX_LINES):
        cut = start
        while cut > 0 and text[cut - 1] in " \t":
            cut -= 1
        if cut == 0 or text[cut - 1] not in ",\n":
            break
        sep = cut - 1
        if text[sep] == "\n" and sep > 0 and text[sep - 1] == "\n":
            break  # a blank line ends the address block
        # A label ("Address: ...") ends the block as a blank line does.
        previous = max(text.rfind(ch, 0, sep) for ch in "\n,:") + 1
        segment = text[previous:sep]
        if _is_address_line(segment):
            start = previous + (len(segment) - len(segment.lstrip()))
            continue
        run = _trailing_capitalised(segment.rstrip())
        if run:
            start = previous + len(segment.rstrip()) - run
        break
    return start


def _grow_forward(text: str, end: int) -> int:
    for _ in range(_MAX_LINES):
        sep = _FORWARD_SEP_RE.match(text, end)
        if sep is None:
            break
        if "\n\n" in sep.group(0):
            break
        at = sep.end()
        plain_space = not any(ch in sep.group(0) for ch in ",\n")
        postal = _POSTAL_RE.match(text, at)
        if postal and _postal_plausible(postal.group(0)):
            end = postal.end()
            continue
        eircode = _EIRCODE_RE.match(text, at)
        if eircode:
            end = eircode.end()
            continue
        if plain_space:
            break  # place names must follow a comma or a line break
        for regex in (_UNIT_LINE_RE, _PLACE_RE):
            found = regex.match(text, at)
            if found and _is_address_line(found.group(0)) and _SEGMENT_END_RE.match(
                text, found.end()
            ):
                end = found.end()
                break
        else:
            break
    return end


def _merge(text: str, spans: list[Candidate]) -> Iterator[Candidate]:
    """Join pieces that overlap or are separated only by commas and spaces."""
    ordered = sorted(spans, key=lambda c: (c.start, -c.end))
    current: Candidate | None = None
    for span in ordered:
        if current is not None and (
            span.start <= current.end or not text[current.end : span.start].strip(" ,")
        ):
            current = Candidate(
                current.start, max(current.end, span.end), max(current.score, span.score)
            )
            continue
        if current is not None:
            yield current
        current = span
    if current is not None:
        yield current
