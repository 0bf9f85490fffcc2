"""Turning a hold into Redis hash fields and back."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from guardrail.review.model import Hold, HoldKind, HoldStatus, Outcome, TimeoutOutcome
from guardrail.types import Finding, Severity

# Fields a listing needs; the conversation text stays in Redis.
SUMMARY_FIELDS = (
    "id", "kind", "app", "conv", "status", "version", "risk", "created", "deadline",
    "policy_version", "findings", "claimed_by", "claim_until", "outcome", "timeout_outcome",
)


def park_fields(
    *,
    kind: HoldKind,
    app: str,
    conversation_id: str,
    messages: Sequence[Mapping[str, Any]],
    answer: str | None,
    findings: Sequence[Finding],
    suggestions: Sequence[str],
    policy_version: str,
    fallback_text: str,
    timeout_text: str,
    stream: bool,
    model: str | None,
    language: str | None,
    meta: Mapping[str, Any] | None,
    labels: Sequence[str] = (),
) -> list[str]:
    pairs: dict[str, str] = {
        "kind": str(kind),
        "app": app,
        "conv": conversation_id,
        "policy_version": policy_version,
        "rule_ids": _dump(sorted({f.rule_id for f in findings})),
        "findings": _dump([f.to_dict() for f in findings]),
        "messages": _dump(list(messages)),
        "answer": answer or "",
        "has_answer": "1" if answer is not None else "0",
        "suggestions": _dump(list(suggestions)),
        "fallback": fallback_text,
        "timeout_text": timeout_text,
        "stream": "1" if stream else "0",
        "model": model or "",
        "language": language or "",
        "meta": _dump(dict(meta or {})),
        "labels": _dump(sorted(set(labels))),
    }
    flat: list[str] = []
    for name, value in pairs.items():
        flat += [name, value]
    return flat


def hold_from_hash(raw: Mapping[bytes, bytes], now: float) -> Hold:
    """Decode a stored hold. A claim whose lease has run out reads as pending."""
    data = {k.decode(): v.decode() for k, v in raw.items()}
    status = HoldStatus(data["status"])
    claim_until = _ms(data.get("claim_until"))
    claimed_by = data.get("claimed_by") or None
    if status is HoldStatus.CLAIMED and (claim_until is None or claim_until <= now):
        status, claimed_by, claim_until = HoldStatus.PENDING, None, None
    outcome = Outcome.from_json(data["outcome"]) if data.get("outcome") else None
    return Hold(
        id=data["id"],
        kind=HoldKind(data["kind"]),
        app=data["app"],
        conversation_id=data.get("conv", ""),
        status=status,
        version=int(data["version"]),
        risk=Severity(int(data.get("risk") or 0)),
        created=_ms(data.get("created")) or 0.0,
        deadline=_ms(data.get("deadline")),
        policy_version=data.get("policy_version", ""),
        findings=tuple(Finding.from_dict(f) for f in _load(data.get("findings"), [])),
        messages=tuple(_load(data.get("messages"), [])),
        answer=data.get("answer") if data.get("has_answer") == "1" else None,
        suggestions=tuple(_load(data.get("suggestions"), [])),
        fallback_text=data.get("fallback", ""),
        timeout_text=data.get("timeout_text", ""),
        timeout_outcome=TimeoutOutcome(data.get("timeout_outcome") or "fallback"),
        stream=data.get("stream") == "1",
        model=data.get("model") or None,
        language=data.get("language") or None,
        meta=_load(data.get("meta"), {}),
        # Holds parked before labels were recorded restore nothing: a
        # placeholder left in an answer beats another customer's value.
        labels=tuple(_load(data.get("labels"), [])),
        claimed_by=claimed_by,
        claim_until=claim_until,
        outcome=outcome,
        decision_label=_load(data.get("decision_label"), None),
    )


def _ms(value: str | None) -> float | None:
    return int(value) / 1000.0 if value else None


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _load(value: str | None, default: Any) -> Any:
    return json.loads(value) if value else default
