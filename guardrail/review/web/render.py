"""Turning held texts into what the templates show.

Texts are split into segments: plain text, placeholders (marked so a
reviewer sees at a glance what was de-identified) and spans a finding
flagged. Segments are plain strings: the templates autoescape them, so an
answer full of markup renders as that markup's text and nothing else.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from guardrail.pii.placeholders import PLACEHOLDER_RE
from guardrail.types import Finding

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

# Pseudonyms (<PERSON_1>) and redactions (<REDACTED_EMAIL_ADDRESS>).
_MARKED = re.compile(rf"{PLACEHOLDER_RE.pattern}|<REDACTED_[A-Z0-9_]+>")


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    placeholder: bool = False
    findings: tuple[int, ...] = ()  # 1-based numbers of the findings covering it
    last_of: tuple[int, ...] = ()   # findings whose span ends here (footnote marks)

    @property
    def classes(self) -> str:
        return " ".join(name for name, on in (("ph", self.placeholder), ("flag", self.findings)) if on)


def template_environment() -> jinja2.Environment:
    # Autoescape everything, whatever the file name; a missing variable is an
    # error, not an empty string that hides a bug.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def segments(text: str, findings: Sequence[Finding] = (), *, mark: bool = True) -> list[Segment]:
    """Split `text` at placeholder and finding boundaries.

    Finding spans that do not fit the text (a policy bug, or a revealed text
    whose offsets moved) are ignored rather than trusted.
    """
    if not text:
        return []
    size = len(text)
    spans: list[tuple[int, int, int]] = []
    for number, finding in enumerate(findings, 1):
        span = finding.span
        if span is not None and 0 <= span.start < span.end <= size:
            spans.append((span.start, span.end, number))
    placeholders = [(m.start(), m.end()) for m in _MARKED.finditer(text)] if mark else []
    cuts = {0, size}
    for start, end, _ in spans:
        cuts |= {start, end}
    for start, end in placeholders:
        cuts |= {start, end}
    points = sorted(cuts)
    result = []
    for start, end in itertools.pairwise(points):
        result.append(Segment(
            text=text[start:end],
            placeholder=any(s <= start and end <= e for s, e in placeholders),
            findings=tuple(n for s, e, n in spans if s <= start and end <= e),
            last_of=tuple(n for s, e, n in spans if e == end),
        ))
    return result


def message_view(message: Mapping[str, Any], role_labels: Mapping[str, str], *,
                 mark: bool = True) -> dict[str, Any]:
    """One chat message as the item page shows it."""
    role = str(message.get("role") or "?")
    content = message.get("content")
    if isinstance(content, list):
        # Content parts: only text is shown; images and audio are never fetched.
        content = "\n".join(
            str(part.get("text", "")) if part.get("type") == "text" else f"[{part.get('type')}]"
            for part in content if isinstance(part, Mapping)
        )
    calls = []
    for call in message.get("tool_calls") or []:
        function = call.get("function") if isinstance(call, Mapping) else None
        if isinstance(function, Mapping):
            calls.append({"name": str(function.get("name", "")),
                          "segments": segments(str(function.get("arguments", "")), mark=mark)})
    return {
        "role": role,
        "role_label": role_labels.get(role, role),
        "segments": segments(content if isinstance(content, str) else "", mark=mark),
        "tool_calls": calls,
    }


def duration(seconds: float | None, units: Mapping[str, str]) -> str:
    """'4 min', '2 h 5 min'; negative durations (a passed deadline) read as overdue."""
    if seconds is None:
        return "–"
    if seconds < 0:
        return units["overdue"]
    whole = int(seconds)
    if whole < 60:
        return f"{whole} {units['s']}"
    if whole < 3600:
        return f"{whole // 60} {units['min']}"
    if whole < 86400:
        hours, minutes = divmod(whole // 60, 60)
        return f"{hours} {units['h']} {minutes} {units['min']}" if minutes else f"{hours} {units['h']}"
    return f"{whole // 86400} {units['d']}"
