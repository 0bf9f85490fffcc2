"""What a reviewer's decision sends, computed from the stored (immutable) hold."""

from __future__ import annotations

from collections.abc import Mapping

from guardrail.review.model import ALLOWED_DECISIONS, Decision, Hold, InvalidDecision
from guardrail.review.slots import fill_slots, unfilled_slots


def released_text(hold: Hold, decision: Decision, text: str | None, choice: int | None,
                  slots: Mapping[str, str]) -> str | None:
    """What a decision sends, computed from the stored (immutable) hold. A
    text the reviewer chose or wrote must have no `{slot}` left unfilled."""
    released = _chosen_text(hold, decision, text, choice)
    if released is None or decision is Decision.APPROVE or released == hold.fallback_text:
        return released
    released = fill_slots(released, slots)
    missing = unfilled_slots(released)
    if missing:
        names = ", ".join(missing)
        raise InvalidDecision(f"fill the slots {names} before sending", param="slots")
    return released


def _chosen_text(hold: Hold, decision: Decision, text: str | None,
                 choice: int | None) -> str | None:
    if decision is Decision.TIMEOUT or decision not in ALLOWED_DECISIONS[hold.kind]:
        raise InvalidDecision(f"decision {decision} does not apply to a {hold.kind} item",
                              param="decision")
    if decision is Decision.APPROVE:
        return hold.answer or ""
    if decision in (Decision.EDIT, Decision.REPLY):
        if not text or not text.strip():
            raise InvalidDecision(f"decision {decision} needs text", param="text")
        return text
    if decision is Decision.REJECT:
        return text if text and text.strip() else hold.fallback_text
    if decision is Decision.PICK:
        if choice is not None:
            if not 0 <= choice < len(hold.suggestions):
                raise InvalidDecision("choice is not one of the suggestions", param="choice")
            return hold.suggestions[choice]
        if text is not None and text in hold.suggestions:
            return text
        raise InvalidDecision("pick needs a choice among the suggestions", param="choice")
    return None  # CLOSE: nothing is sent
