"""The vocabulary every stage of the pipeline shares.

A check never raises to say "no": it returns findings, and the policy turns
findings into one `Verdict`. Findings carry spans, never the matched text, so
they can be logged, queued and audited without carrying personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any, Protocol, runtime_checkable


class Action(StrEnum):
    """What happens to a request or an answer, from mildest to strictest."""

    ALLOW = "allow"
    MODIFY = "modify"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _ACTION_RANK[self]


_ACTION_RANK = {Action.ALLOW: 0, Action.MODIFY: 1, Action.HOLD: 2, Action.BLOCK: 3}


class Severity(IntEnum):
    """How bad a finding is; the policy maps the worst one to an `Action`."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, name: str) -> Severity:
        return cls[name.upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range [start, end) in the text a check looked at."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check noticed. `reason` is plain words for a reviewer and
    must never quote personal data; `span` points into the checked text."""

    rule_id: str
    kind: str
    severity: Severity
    reason: str
    span: Span | None = None
    score: float | None = None
    shadow: bool = False
    # Semantic rules: the rule's own examples closest to the answer, with
    # their similarity (policy text, never the answer's).
    examples: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "severity": str(self.severity),
            "reason": self.reason,
            "span": [self.span.start, self.span.end] if self.span else None,
            "score": self.score,
            "shadow": self.shadow,
            "examples": [[text, similarity] for text, similarity in self.examples],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        span = data.get("span")
        return cls(
            rule_id=data["rule_id"],
            kind=data["kind"],
            severity=Severity.parse(data["severity"]),
            reason=data["reason"],
            span=Span(span[0], span[1]) if span else None,
            score=data.get("score"),
            shadow=bool(data.get("shadow", False)),
            examples=tuple((str(t), float(s)) for t, s in data.get("examples") or ()),
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of checking one request or answer.

    `text` is the answer to send instead of the original when the action
    calls for one (a modified answer, an approved message, a fallback or a
    handoff message); `None` means "send what the model wrote".
    """

    action: Action
    findings: tuple[Finding, ...] = ()
    policy_version: str = ""
    text: str | None = None
    suggestions: tuple[str, ...] = field(default=())

    @property
    def rule_ids(self) -> list[str]:
        return [f.rule_id for f in self.findings if not f.shadow]


@runtime_checkable
class Check(Protocol):
    """One rule. Input checks see the customer's latest message; output checks
    see the (re-identified) answer. Both return findings, never raise to
    signal a violation."""

    rule_id: str

    def check(self, text: str, context: CheckContext) -> list[Finding]: ...


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may know besides the text it checks."""

    language: str = "en"
    # The customer's latest message, de-identified: what a check may build
    # stored text from (approved-message slots).
    customer_text: str = ""
    # The same message as the customer wrote it, for checks that compare the
    # re-identified answer with it; never stored, never logged.
    customer_said: str = ""
    first_answer: bool = False
    # Personal data found in the answer that this conversation's customer did
    # not give: (entity type, span in the checked text). Found by the PII
    # service, judged by the policy's leak rule.
    foreign_pii: tuple[tuple[str, Span], ...] = ()
    # The answer as the model wrote it, placeholders in (None when unknown).
    # Whatever a check builds to be stored (suggestions for reviewers) is
    # built from this, never from the re-identified text it checks.
    answer_source: str | None = None
