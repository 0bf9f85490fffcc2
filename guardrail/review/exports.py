"""Decided items as policy cases, semantic-rule examples and a dataset.

Everything here is built from the stored (de-identified) holds and their
labels: placeholders such as `<PERSON_1>` stay placeholders. The proxy never
edits policy files: these are files for the security team to read and merge.

- `case_file_text`: the `policies/cases/` format. The expected verdict is the
  reviewer's: approved as it was -> allow; edited or rejected -> hold. Put in
  `cases/`, `guardrail policy test` fails exactly where the policy and its
  reviewers disagree.
- `examples_text`: per rule, answers reviewers said break it and ones they
  released as fine, as suggestions for a semantic rule's `examples` and
  near-miss lists.
- `dataset_records`: one JSON object per decision for evaluating a model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from guardrail.chat_messages import latest_customer_text
from guardrail.review.labels import DecisionLabel, ReviewerCall
from guardrail.review.model import Hold, HoldKind
from guardrail.types import Action

# The shape of the PII service's placeholders (guardrail.pii.placeholders,
# not imported: importing the PII package loads the analyzer).
_PLACEHOLDER = re.compile(r"^<[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_[1-9][0-9]{0,5}>$")


@dataclass(frozen=True)
class Reviewed:
    """A closed item with its label."""

    hold: Hold
    label: DecisionLabel

    @property
    def judged(self) -> bool:
        return self.label.call is not ReviewerCall.EXPIRED and self.label.expected is not None


def reviewed_items(holds: Iterable[Hold]) -> list[Reviewed]:
    """Holds that carry a label (closed after labels were introduced)."""
    out = []
    for hold in holds:
        if hold.decision_label is None:
            continue
        decided_at = hold.outcome.decided_at if hold.outcome else None
        out.append(Reviewed(hold, DecisionLabel.from_dict(hold.decision_label, decided_at=decided_at)))
    return out


# -- policy cases -----------------------------------------------------------


def case_for(item: Reviewed, policy_set: str | None) -> dict[str, Any] | None:
    """One case in the `policies/cases/` format, or None for an expired item."""
    if not item.judged or item.label.expected is None:
        return None
    hold, label = item.hold, item.label
    case: dict[str, Any] = {"id": f"review-{hold.id}"}
    if policy_set:
        case["set"] = policy_set
    messages = [dict(m) for m in hold.messages]
    customer = latest_customer_text(messages)
    if hold.kind is HoldKind.HANDOFF:
        case["request"] = customer
    else:
        case["answer"] = hold.answer or ""
        if customer:
            case["customer"] = customer
        # A report's answer went out with any disclosure the policy added; the
        # first-answer disclosure rule is not what the customer reported.
        if hold.kind is HoldKind.ANSWER and not any(m.get("role") == "assistant" for m in messages):
            case["first_answer"] = True
        foreign = _foreign_placeholders(hold)
        if foreign:
            case["foreign_pii"] = foreign
    if hold.language:
        case["language"] = hold.language
    case["expect"] = {"action": str(label.expected)}
    return case


def _foreign_placeholders(hold: Hold) -> list[dict[str, str]]:
    """Leak findings whose span covers a placeholder: the case can replay them
    without carrying any value."""
    out = []
    answer = hold.answer or ""
    for finding in hold.findings:
        if finding.kind != "pii_leak" or finding.span is None:
            continue
        text = answer[finding.span.start : finding.span.end]
        if _PLACEHOLDER.match(text):
            entity = text[1 : text.rindex("_")]
            out.append({"entity": entity, "text": text})
    return out


def case_file_text(items: Iterable[Reviewed], policy_set_of: Callable[[str], str | None], *,
                   generated_at: str) -> tuple[str, int]:
    """The YAML text of a case file and the number of cases in it."""
    lines = [
        "# Reviewed decisions as policy cases, written by `guardrail review export-cases`",
        f"# on {generated_at}. Texts are de-identified (placeholders stay placeholders).",
        "# Expected verdict = the reviewer's: approved as it was -> allow;",
        "# edited, replaced or rejected -> hold. A failing case is an answer on which",
        "# the policy and its reviewers disagree.",
        "cases:",
    ]
    count = 0
    for item in items:
        case = case_for(item, policy_set_of(item.hold.app))
        if case is None:
            continue
        label = item.label
        rules = ", ".join(label.rule_ids) or "none"
        lines.append(
            f"# {item.hold.id} ({item.hold.kind}, app {item.hold.app}): {label.call} by "
            f"{label.reviewer or '-'}; rules that held it: {rules}; policy version "
            f"{label.policy_version or '-'}"
        )
        lines.append(_dump([case]).rstrip("\n"))
        count += 1
    if count == 0:
        lines[-1] = "cases: []"
    return "\n".join(lines) + "\n", count


# -- semantic-rule examples -------------------------------------------------


def examples_text(items: Iterable[Reviewed], *, rule: str | None, generated_at: str) -> tuple[str, int]:
    """Suggestions `{rule_id: {breaks: [...], fine: [...]}}` from held answers.

    `breaks`: answers reviewers edited or rejected (the rule was right);
    `fine`: answers they released as they were (near misses the rule should
    let through). The security team merges what fits into the rule's
    examples; nothing here changes a policy by itself.
    """
    suggestions: dict[str, dict[str, list[str]]] = {}
    for item in items:
        if item.hold.kind is not HoldKind.ANSWER or not item.judged or item.hold.answer is None:
            continue
        for rule_id in (*item.label.rule_ids, *item.label.shadow_rule_ids):
            if rule is not None and rule_id != rule:
                continue
            entry = suggestions.setdefault(rule_id, {"breaks": [], "fine": []})
            bucket = "fine" if item.label.expected is Action.ALLOW else "breaks"
            if item.hold.answer not in entry[bucket]:
                entry[bucket].append(item.hold.answer)
    header = (
        "# Suggested examples for semantic rules, from reviewers' decisions\n"
        f"# (`guardrail review export-cases --as-examples`, {generated_at}). De-identified.\n"
        "# breaks: answers reviewers edited or rejected; fine: answers they released\n"
        "# unchanged (near misses). Merge what fits into each rule's examples.\n"
    )
    body = _dump(dict(sorted(suggestions.items()))) if suggestions else "{}\n"
    return header + body, sum(len(v["breaks"]) + len(v["fine"]) for v in suggestions.values())


# -- dataset ----------------------------------------------------------------


def dataset_record(item: Reviewed) -> dict[str, Any]:
    """One decision for evaluating or tuning a model on the team's own traffic."""
    hold, label = item.hold, item.label
    return {
        "hold_id": hold.id,
        "app": hold.app,
        "kind": str(hold.kind),
        "language": hold.language,
        "messages": [_message(m) for m in hold.messages],
        "prompt": latest_customer_text([dict(m) for m in hold.messages]),
        "model_answer": hold.answer,
        "reviewer_answer": hold.outcome.text if hold.outcome else None,
        "label": {
            "call": str(label.call),
            "decision": label.decision,
            "expected": str(label.expected) if label.expected else None,
            "policy_action": str(label.policy_action),
            "rules_right": label.rules_right,
        },
        "rule_ids": list(label.rule_ids),
        "shadow_rule_ids": list(label.shadow_rule_ids),
        "findings": [f.to_dict() for f in hold.findings],
        "policy_version": label.policy_version,
        "created": hold.created,
        "decided_at": label.decided_at,
        "seconds_to_decision": label.seconds_to_decision,
    }


def dataset_lines(items: Iterable[Reviewed]) -> Iterable[str]:
    for item in items:
        yield json.dumps(dataset_record(item), ensure_ascii=False, separators=(",", ":"))


def _message(message: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k in ("role", "content", "name", "tool_calls",
                                                     "tool_call_id")}


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100000)
