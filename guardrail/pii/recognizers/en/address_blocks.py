"""A street address the model found, taken whole: with the rest of its block.

The model sometimes ends an address at a line break or runs it into the
word after it; the lines after it (a city, a country, a postcode, behind
quote marks or not) are still the same address. So an address takes the
rest of its line and the short lines after it, down to the last one holding
a code, and "the corner of" before it. Written on one line, it runs on
through comma-separated parts of place words and landmarks ("near Shiv
Mandir", "behind SBI ATM") to the postcode that closes it.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from guardrail.pii.recognizers.generic.phone import PhoneNumberRecognizer

# Words a model may run an address into: "12 Oak Street now".
_ADDRESS_TAIL_WORDS = frozenset({"now", "asap", "instead", "too", "again", "though", "please", "thanks"})
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
# Between the parts of one address: spaces, newlines, commas, and the quote
# marks of a quoted e-mail ("> ") at the start of a line.
_ADDRESS_GAP = re.compile(r"(?:[\s,]|(?<=\n)[^\w\s]+)*")
# A line of an address block: a few capitalised words and codes ("Broomfield",
# "New Zealand 57006", "LAPPEENRANTA / SK / 53650"), no sentence.
_QUOTE_PREFIX = re.compile(r"[ \t]*[^\w\s]*[ \t]*")
_BLOCK_WORD = re.compile(
    r"(?:[^\W\d_][\w'’.-]*|\d[\w-]*|[^\W\d_]{1,3}\d[\w-]*)"
)
_BLOCK_SEPARATOR = re.compile(r"[ \t,/]+")
_BLOCK_CONNECTORS = frozenset(
    "de du la le of am an der di da van von y el".split()  # noqa: SIM905 - reads better as text
)
_MAX_BLOCK_WORDS = 6
_LEADING_CODE = re.compile(r"[ \t]*(?:[A-Z]{1,2}-?)?\d[\dA-Z-]{2,8}(?=[.,;]?(?:\s|\Z))")
_MAX_BLOCK_LINES = 3
# "the corner of Main Street and 5th Avenue" is one address.
_CORNER_BEFORE = re.compile(r"(?:the\s+)?corner\s+of\s+\Z", re.IGNORECASE)
_POSTCODE = re.compile(r"[A-Z]{0,2}-?\d[\dA-Z -]{1,8}")
# One line's address parts after the model's end: the rest of its part, then
# parts after commas; words of landmarks ("near Shiv Mandir", "opp. the
# temple") and unit numbers ("#23-05") included; closed by a postcode.
_PART_START = re.compile(r"[ \t]*,?[ \t]*")
_NEXT_COMMA = re.compile(r"[ \t]*,")
_PART_WORD = re.compile(r"#?[\w'’/-]+(?:\.(?=\S))?(?:[\w'’/-]+)?\.?")
_SENTENCE_STOP = re.compile(r"[;!?]|\.(?:\s|\Z)")
_MAX_INLINE_PARTS = 5
_NOT_ADDRESS_WORDS = frozenset(
    {w for w in (*PhoneNumberRecognizer.COUNTER_CONTEXT, *PhoneNumberRecognizer.STRONG_CONTEXT)
     if w.isascii()}
    | {"account", "card", "iban", "email", "number", "no", "id"}
)
_LANDMARK_WORDS = frozenset("near opp opp. opposite behind beside next to off via".split())  # noqa: SIM905
_UNIT_NUMBER = re.compile(r"#?\d[\dA-Za-z]*(?:[-/]\d[\dA-Za-z]*)*")
_CLOSING_CODE = re.compile(r"\d{4,6}|\d{3}-\d{4}|[A-Z]{1,2}\d[A-Z\d]?|\d[A-Z]{2}")
# Between a street the model read as a name and the house number it found
# as the address: ", " on the same line.
_STREET_THEN_NUMBER = re.compile(r",?[ \t]+")
# A house number closing the line after a name: "Via Valentino, 864".
_HOUSE_NUMBER_AFTER = re.compile(r",[ \t]*\d{1,5}[A-Za-z]?[ \t]*(?=\n)")


def joined_addresses(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """A street address the model found, joined with the place and postcode
    lines right after it ("Edeby 55\\nApt. 297" + "\\nTYSTBERGA" + "\\nSweden 99178"):
    the model sometimes ends the address at a line break, the lines after it
    are still the same address. A street named after a person ("Via Lucia,
    31", "Borgo Griselda, 86") that the model read as a name is an address
    when a house number follows it on its line and the address goes on."""
    ordered = sorted(results, key=lambda r: r.start)
    out: list[RecognizerResult] = []
    for result in ordered:
        last = out[-1] if out else None
        if last is not None and last.entity_type == "STREET_ADDRESS" and result.start >= last.end:
            gap = text[last.end : result.start]
            if result.entity_type in ("LOCATION", "STREET_ADDRESS") and _ADDRESS_GAP.fullmatch(gap):
                last.end = result.end
                continue
        if (
            last is not None
            and last.entity_type == "PERSON"
            and result.entity_type == "STREET_ADDRESS"
            and result.start >= last.end
            and _STREET_THEN_NUMBER.fullmatch(text[last.end : result.start])
            and text[result.start : result.start + 1].isdigit()
        ):
            last.entity_type, last.end = "STREET_ADDRESS", result.end
            continue
        out.append(result)
    for result in out:
        if result.entity_type == "PERSON":
            _person_as_street(text, result)
    for result in out:
        if result.entity_type == "STREET_ADDRESS":
            result.end = _trim_address_tail(text, result.start, result.end)
            result.end = _postcode_after(text, result.end)
            result.end = _segments_to_code(text, result.end)
            result.end = _block_lines_after(text, result.end)
            corner = _CORNER_BEFORE.search(text, max(0, result.start - 20), result.start)
            if corner:
                result.start = corner.start()
    return out


def _person_as_street(text: str, result: RecognizerResult) -> None:
    """"Via Valentino, 864" then "55045, Crociale (LU)": a name, a house
    number ending its line, and an address line with a code after it."""
    number = _HOUSE_NUMBER_AFTER.match(text, result.end)
    if number is None:
        return
    end = _block_lines_after(text, number.end())
    if end > number.end():
        result.entity_type, result.end = "STREET_ADDRESS", end


def _trim_address_tail(text: str, start: int, end: int) -> int:
    """An address ends before an ordinary lower-case word the model ran into."""
    words = list(_WORD.finditer(text, start, end))
    while len(words) > 1 and words[-1].group(0) in _ADDRESS_TAIL_WORDS:
        words.pop()
        end = words[-1].end()
    return end


def _postcode_after(text: str, end: int) -> int:
    """A postcode on the line after an address, or after a comma, is part of it."""
    gap = _ADDRESS_GAP.match(text, end)
    at = gap.end() if gap else end
    code = _POSTCODE.match(text, at)
    if code and at > end and (code.end() == len(text) or not text[code.end()].isalnum()):
        return code.end() if any(c.isdigit() for c in code.group(0)) else end
    return end


def _segments_to_code(text: str, end: int) -> int:
    """An address written on one line runs on, through comma-separated parts
    of place words, to the postcode that closes it: "Flat 402, Sai Krupa
    Apartments" + ", near Shiv Mandir, Jayanagar 4th Block, Bengaluru 560011";
    "10 Anson Road, #23-05" + " International Plaza, Singapore 079903 is my
    office". Parts without a closing code after them are not taken."""
    at, closed = end, end
    for _ in range(_MAX_INLINE_PARTS):
        start = _PART_START.match(text, at).end()
        words = _contiguous(text, start, list(_PART_WORD.finditer(text, start, _line_end(text, start))))
        if not words or len(words) > _MAX_BLOCK_WORDS:
            break
        for word in words:
            kind = _inline_word(word.group(0))
            if kind is None:
                return closed  # a sentence goes on: the address ended at its code
            if kind == "code":
                closed = word.start() + len(word.group(0).rstrip("."))
        at = words[-1].end()
        if not _NEXT_COMMA.match(text, at):
            break
    return closed


def _line_end(text: str, at: int) -> int:
    stop = text.find("\n", at)
    return len(text) if stop < 0 else stop


def _contiguous(text: str, start: int, words: list[re.Match[str]]) -> list[re.Match[str]]:
    """The words of one part: up to the next comma or sentence end."""
    out = []
    at = start
    for word in words:
        gap = text[at : word.start()]
        if gap.strip(" \t"):
            break
        out.append(word)
        at = word.end()
        if text.startswith(",", at) or _SENTENCE_STOP.match(text, at):
            break
    return out


def _inline_word(word: str) -> str | None:
    """"code" for a postcode, "word" for another word of an address, else None."""
    bare = word.rstrip(".")
    if bare.lower() in _NOT_ADDRESS_WORDS:  # "..., Leeds, Order 55512": a reference, a phone
        return None
    if word.lower() in _LANDMARK_WORDS or bare.lower() in _LANDMARK_WORDS or bare in _BLOCK_CONNECTORS:
        return "word"
    if _CLOSING_CODE.fullmatch(bare):
        return "code"
    if _UNIT_NUMBER.fullmatch(bare):
        return "word"
    if _BLOCK_WORD.fullmatch(bare) and bare[0].isupper():
        return "word"
    return None


def _block_line(line: str) -> bool | None:
    """None if `line` is no address-block line, else whether it holds a code."""
    words = [w.strip("()") for w in _BLOCK_SEPARATOR.split(line.strip(" \t,")) if w.strip("()")]
    if not words or len(words) > _MAX_BLOCK_WORDS:
        return None
    for word in words:
        if not _BLOCK_WORD.fullmatch(word):
            return None
        if word[0].isalpha() and not word[0].isupper() and word not in _BLOCK_CONNECTORS:
            return None
    return any(c.isdigit() for c in line)


def _block_lines_after(text: str, end: int) -> int:
    """The rest of an address's block: the rest of its line and up to three
    short lines after it, through the last one that holds a code ("Broomfield"
    then "New Zealand 57006"), each after an optional quote prefix ("> ")."""
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[end:line_end]
    if rest.strip(" \t,"):
        if _block_line(rest) is None:
            return end  # the address ended inside a sentence
        end = len(rest.rstrip()) + end
    at, lines = line_end, 0
    while at < len(text) and lines < _MAX_BLOCK_LINES:
        start = at + 1
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        prefix = _QUOTE_PREFIX.match(text, start, stop)
        content = text[prefix.end() if prefix else start : stop]
        coded = _block_line(content)
        if coded is None:
            code = _LEADING_CODE.match(content)  # "60810. It serves great food."
            if code:
                end = (prefix.end() if prefix else start) + code.end()
            break
        if coded:
            end = start + len(text[start:stop].rstrip())
        at, lines = stop, lines + 1
    return end
