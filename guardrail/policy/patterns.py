"""The regular expressions a policy file may hold, run on RE2.

A policy's patterns run on every request and every answer, on text a
customer controls. Python's backtracking engine can take cubic time on a
pattern as ordinary as `talk\\s+to\\s+(a)?\\s*human` ("talk to" and 450 spaces
took 2 s, holding the event loop). RE2 (`google-re2`, BSD) matches in time
linear in the text whatever the pattern, so no policy edit can freeze the
proxy. What RE2 cannot run in linear time it does not accept: a pattern with
a look-around or a back-reference is rejected when the policy is loaded
(and by `guardrail policy check`), naming the file, line and field.

RE2's `\\w`, `\\d`, `\\s` and `\\b` are ASCII; Chinese wordings are written as
literal phrases (matched as substrings) or with `\\p{Han}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import re2


class PatternMatch(Protocol):
    def start(self, group: int = 0) -> int: ...

    def end(self, group: int = 0) -> int: ...

    def group(self, group: int = 0) -> str: ...

    def groups(self) -> tuple[str | None, ...]: ...


class PolicyPattern:
    """One compiled policy pattern (the subset of `re.Pattern` checks use)."""

    def __init__(self, source: str, *, ignore_case: bool = False) -> None:
        self.pattern = source
        options = re2.Options()
        options.case_sensitive = not ignore_case
        options.log_errors = False  # errors are raised, with the file and line
        try:
            self._regex = re2.compile(source, options)
        except re2.error as exc:
            raise ValueError(_describe(exc)) from None

    def finditer(self, text: str) -> Iterator[PatternMatch]:
        return iter(self._regex.finditer(text))

    def search(self, text: str) -> PatternMatch | None:
        found: PatternMatch | None = self._regex.search(text)
        return found

    def fullmatch(self, text: str) -> PatternMatch | None:
        found: PatternMatch | None = self._regex.fullmatch(text)
        return found

    def sub(self, replacement: str, text: str) -> str:
        result: str = self._regex.sub(replacement, text)
        return result


def validate_pattern(source: str) -> str:
    """The pattern, or ValueError saying why RE2 will not run it."""
    PolicyPattern(source)
    return source


def _describe(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else exc
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    return (
        f"invalid regular expression: {detail} (policy patterns run on RE2, in linear "
        "time, which has no look-arounds or back-references)"
    )
