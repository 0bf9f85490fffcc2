"""What the review queue stores and hands back: holds, outcomes, errors."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from guardrail.types import Finding, Severity


class HoldKind(StrEnum):
    ANSWER = "answer"    # a model answer held for review
    HANDOFF = "handoff"  # the customer asked for a person
    REPORT = "report"    # an end customer reported an answer as wrong or unfair


class HoldStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DECIDED = "decided"
    EXPIRED = "expired"

    @property
    def is_open(self) -> bool:
        return self in (HoldStatus.PENDING, HoldStatus.CLAIMED)


class Decision(StrEnum):
    APPROVE = "approve"  # release the original answer
    EDIT = "edit"        # release the reviewer's edited (de-identified) text
    REJECT = "reject"    # release the fallback, or the reviewer's own reply
    PICK = "pick"        # release one of the suggested approved messages
    REPLY = "reply"      # handoff/report: a person answers the customer
    CLOSE = "close"      # handoff/report: done, nothing to send
    TIMEOUT = "timeout"  # nobody decided before the deadline (set by the queue)


# Which reviewer decisions make sense for which kind of item.
ALLOWED_DECISIONS: dict[HoldKind, frozenset[Decision]] = {
    HoldKind.ANSWER: frozenset({Decision.APPROVE, Decision.EDIT, Decision.REJECT, Decision.PICK}),
    HoldKind.HANDOFF: frozenset({Decision.REPLY, Decision.CLOSE}),
    HoldKind.REPORT: frozenset({Decision.REPLY, Decision.CLOSE}),
}


class TimeoutOutcome(StrEnum):
    """What an answer hold releases when its deadline passes (policy `hold.timeout_outcome`)."""

    FALLBACK = "fallback"  # the timeout text (the fallback message by default)
    HOLDING = "holding"    # nothing: the item stays open, review continues
    RELEASE = "release"    # the original answer, unreviewed — only when the policy says so


class ReviewError(Exception):
    """Base of the queue's errors. Messages name ids and states, never text."""

    code = "review_error"


class HoldNotFound(ReviewError):
    code = "hold_not_found"


class Conflict(ReviewError):
    """Someone else got there first (decided, claimed, or changed the version)."""

    code = "conflict"

    def __init__(self, message: str, *, reason: str, current_version: int | None = None,
                 claimed_by: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.current_version = current_version
        self.claimed_by = claimed_by


class InvalidDecision(ReviewError):
    """The decision does not fit the item (e.g. `edit` without text)."""

    code = "invalid_decision"

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class QueueUnavailable(ReviewError):
    """Redis could not be reached. The proxy maps this to 503 and releases nothing."""

    code = "review_queue_unavailable"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a hold ended. `text` is de-identified: the caller re-identifies it
    for the conversation before sending it to the app. `None` means nothing
    is to be sent (a closed handoff)."""

    hold_id: str
    kind: HoldKind
    app: str
    conversation_id: str
    status: HoldStatus
    decision: Decision
    text: str | None
    reviewer: str | None
    decided_at: float
    version: int

    @classmethod
    def from_json(cls, raw: str | bytes) -> Outcome:
        data = json.loads(raw)
        return cls(
            hold_id=data["hold_id"],
            kind=HoldKind(data["kind"]),
            app=data["app"],
            conversation_id=data.get("conversation_id", ""),
            status=HoldStatus(data["status"]),
            decision=Decision(data["decision"]),
            text=data.get("text"),
            reviewer=data.get("reviewer") or None,
            decided_at=float(data["decided_at"]) / 1000.0,
            version=int(data["version"]),
        )

    @property
    def released(self) -> bool:
        """True when a reviewer let the model's own answer through."""
        return self.decision in (Decision.APPROVE, Decision.EDIT)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hold_id": self.hold_id,
            "kind": str(self.kind),
            "status": str(self.status),
            "decision": str(self.decision),
            "text": self.text,
            "reviewer": self.reviewer,
            "decided_at": self.decided_at,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class Hold:
    """One queue item as stored. Texts are de-identified (placeholders)."""

    id: str
    kind: HoldKind
    app: str
    conversation_id: str
    status: HoldStatus
    version: int
    risk: Severity
    created: float
    deadline: float | None
    policy_version: str
    findings: tuple[Finding, ...] = ()
    messages: tuple[dict[str, Any], ...] = ()
    answer: str | None = None
    suggestions: tuple[str, ...] = ()
    fallback_text: str = ""
    timeout_text: str = ""
    timeout_outcome: TimeoutOutcome = TimeoutOutcome.FALLBACK
    stream: bool = False
    model: str | None = None
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # The placeholders the held request was issued: the only ones its
    # release may resolve (a conversation id can be shared by customers).
    labels: tuple[str, ...] = ()
    claimed_by: str | None = None
    claim_until: float | None = None
    outcome: Outcome | None = None
    # What the decision taught (labels.DecisionLabel.to_dict()), once decided.
    decision_label: dict[str, Any] | None = None

    @property
    def rule_ids(self) -> list[str]:
        return sorted({f.rule_id for f in self.findings})

    def seconds_left(self, now: float | None = None) -> float | None:
        if self.deadline is None:
            return None
        return self.deadline - (time.time() if now is None else now)

    def summary(self) -> dict[str, Any]:
        """The listing view: no conversation text at all."""
        return {
            "id": self.id,
            "kind": str(self.kind),
            "app": self.app,
            "status": str(self.status),
            "version": self.version,
            "risk": str(self.risk),
            "rule_ids": self.rule_ids,
            "created": self.created,
            "deadline": self.deadline,
            "timeout_outcome": str(self.timeout_outcome),
            "policy_version": self.policy_version,
            "claimed_by": self.claimed_by,
            "claim_until": self.claim_until,
        }

    def to_dict(self) -> dict[str, Any]:
        """The full item for a reviewer: de-identified texts, findings, outcome."""
        return {
            **self.summary(),
            "conversation_id": self.conversation_id,
            "messages": list(self.messages),
            "answer": self.answer,
            "findings": [f.to_dict() for f in self.findings],
            "suggestions": list(self.suggestions),
            "fallback_text": self.fallback_text,
            "stream": self.stream,
            "model": self.model,
            "language": self.language,
            "meta": self.meta,
            "outcome": self.outcome.to_dict() if self.outcome else None,
            "decision_label": self.decision_label,
        }
