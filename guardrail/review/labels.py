"""Every reviewer decision is a label on the rules that held the item.

A held answer approved as it was means the rules that held it were wrong on
it; edited, replaced by an approved message or rejected means they were
right (and an edit or a reviewer's own reply is the answer the brand
wanted). Handoffs and customer reports are labelled the same way: a person
replying to a handoff confirms it, closing it without a word says it was not
needed; replying to a report upholds it (the policy let a bad answer
through), closing it dismisses it.

The label is computed here from the stored hold and the decision, then
written by the decide script in the same atomic step as the decision (see
`scripts.py`), together with one entry in the label log and the per-rule
counters, so concurrent decisions can never miscount.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from guardrail.review.model import Decision, Hold, HoldKind
from guardrail.types import Action


class ReviewerCall(StrEnum):
    """What the reviewer did with the held (or reported) text."""

    APPROVED = "approved"  # released as it was
    EDITED = "edited"      # released changed: an edit, an approved message, a reply
    REJECTED = "rejected"  # not released: the fallback (or the reviewer's own reply)
    EXPIRED = "expired"    # nobody decided before the deadline: no label on the rules


_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class DecisionLabel:
    """One decision as a label. Texts are de-identified, like the hold's.

    `expected` is the verdict the reviewer's decision says the policy should
    have given the answer; `policy_action` the one it gave (`hold` for held
    answers and handoffs, `allow` for answers a customer reported).
    `rules_right` is None for an expired item: nobody judged it.
    """

    hold_id: str
    app: str
    kind: HoldKind
    call: ReviewerCall
    decision: str
    expected: Action | None
    policy_action: Action
    rule_ids: tuple[str, ...]
    shadow_rule_ids: tuple[str, ...]
    policy_version: str
    created: float
    wanted_text: str | None = None
    reviewer: str | None = None
    decided_at: float | None = None

    @property
    def rules_right(self) -> bool | None:
        if self.expected is None:
            return None
        return self.expected is self.policy_action

    @property
    def seconds_to_decision(self) -> float | None:
        if self.decided_at is None:
            return None
        return max(0.0, self.decided_at - self.created)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hold_id": self.hold_id,
            "app": self.app,
            "kind": str(self.kind),
            "call": str(self.call),
            "decision": self.decision,
            "expected": str(self.expected) if self.expected else None,
            "policy_action": str(self.policy_action),
            "rules_right": self.rules_right,
            "rule_ids": list(self.rule_ids),
            "shadow_rule_ids": list(self.shadow_rule_ids),
            "policy_version": self.policy_version,
            "created": self.created,
            "wanted_text": self.wanted_text,
            "reviewer": self.reviewer,
            "decided_at": self.decided_at,
        }

    def to_json(self, *, with_text: bool = True) -> str:
        """Stored form; `decided_at` comes from Redis's clock when it is written.
        Without text for the label log, which outlives the hold."""
        data = self.to_dict()
        for derived in ("rules_right", "decided_at"):
            data.pop(derived)
        if not with_text:
            data.pop("wanted_text")
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, decided_at: float | None = None) -> DecisionLabel:
        return cls(
            hold_id=data["hold_id"],
            app=data.get("app", ""),
            kind=HoldKind(data.get("kind", "answer")),
            call=ReviewerCall(data["call"]),
            decision=data.get("decision", ""),
            expected=Action(data["expected"]) if data.get("expected") else None,
            policy_action=Action(data.get("policy_action") or "hold"),
            rule_ids=tuple(_ids(data.get("rule_ids"))),
            shadow_rule_ids=tuple(_ids(data.get("shadow_rule_ids"))),
            policy_version=data.get("policy_version", ""),
            created=float(data.get("created") or 0.0),
            wanted_text=data.get("wanted_text"),
            reviewer=data.get("reviewer") or None,
            decided_at=decided_at if decided_at is not None else data.get("decided_at"),
        )


def _ids(value: Any) -> list[str]:
    # Lua's cjson writes an empty list as {}: both mean "no rules".
    return [str(v) for v in value] if isinstance(value, list) else []


def label_for(hold: Hold, decision: Decision, released: str | None, reviewer: str) -> DecisionLabel:
    """The label a reviewer's decision puts on `hold`; `released` is the text
    the decision sends (de-identified), as the queue computed it."""
    call, wanted = _call(hold, decision, released)
    policy_action = Action.ALLOW if hold.kind is HoldKind.REPORT else Action.HOLD
    if hold.kind is HoldKind.REPORT:
        # A reported answer was let through: replying upholds the report.
        expected = Action.HOLD if call is ReviewerCall.EDITED else Action.ALLOW
    else:
        expected = Action.ALLOW if call is ReviewerCall.APPROVED else Action.HOLD
    return DecisionLabel(
        hold_id=hold.id,
        app=hold.app,
        kind=hold.kind,
        call=call,
        decision=str(decision),
        expected=expected,
        policy_action=policy_action,
        rule_ids=tuple(sorted({f.rule_id for f in hold.findings if not f.shadow})),
        shadow_rule_ids=tuple(sorted({f.rule_id for f in hold.findings if f.shadow})),
        policy_version=hold.policy_version,
        created=hold.created,
        wanted_text=wanted,
        reviewer=reviewer,
    )


def _call(hold: Hold, decision: Decision, released: str | None) -> tuple[ReviewerCall, str | None]:
    if decision is Decision.APPROVE:
        return ReviewerCall.APPROVED, None
    if decision is Decision.EDIT:
        # An "edit" that changes nothing but spacing is an approval.
        if _same(released, hold.answer):
            return ReviewerCall.APPROVED, None
        return ReviewerCall.EDITED, released
    if decision is Decision.PICK:
        return ReviewerCall.EDITED, released
    if decision is Decision.REJECT:
        own = released if released and released != hold.fallback_text else None
        return ReviewerCall.REJECTED, own
    if decision is Decision.REPLY:
        return ReviewerCall.EDITED, released
    if decision is Decision.CLOSE:
        return ReviewerCall.APPROVED, None
    raise ValueError(f"{decision} is not a reviewer decision")


def _same(a: str | None, b: str | None) -> bool:
    return _SPACES.sub(" ", a or "").strip() == _SPACES.sub(" ", b or "").strip()
