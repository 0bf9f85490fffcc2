"""Policy errors that point at the file, line and field a person must fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy file. `line` is 1-based; None when the
    problem concerns a whole file (unreadable, empty directory...)."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


class PolicyError(Exception):
    """Policies could not be loaded (or a set/case asked for does not exist)."""

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="", line=None, field="", message=problems)]
        self.problems: list[Problem] = problems
        super().__init__("\n".join(str(p) if p.file else p.message for p in problems))
