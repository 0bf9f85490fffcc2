"""What one request did, gathered as it runs, for its log line, metrics and trace.

The request middleware puts a `RequestRecord` in a context variable; the
pipeline's stages add to it through the functions below without any
signature change (`with stage("deidentify"): ...`, `note_decision(...)`).
Outside a request (the CLI, a unit test of a stage) they do nothing.

A record holds ids, counts and times only, never text: it is what may be
logged and counted.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from guardrail.types import Action, Verdict

UPSTREAM = "upstream"


@dataclass
class RequestRecord:
    request_id: str
    method: str
    path: str
    started: float = field(default_factory=time.perf_counter)
    app: str | None = None
    model: str | None = None
    status: int | None = None
    verdict: str | None = None
    hold_id: str | None = None
    action: Action | None = None
    rules: list[str] = field(default_factory=list)
    check_errors: list[str] = field(default_factory=list)
    entities: Counter[str] = field(default_factory=Counter)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    rate_limited: str | None = None
    tracer: Any = None

    def add_seconds(self, name: str, seconds: float) -> None:
        self.stage_seconds[name] = self.stage_seconds.get(name, 0.0) + seconds

    def add_decision(self, verdict: Verdict) -> None:
        if self.action is None or verdict.action.rank > self.action.rank:
            self.action = verdict.action
        for finding in verdict.findings:
            if finding.kind == "check_error" and finding.rule_id not in self.check_errors:
                self.check_errors.append(finding.rule_id)
        for rule_id in verdict.rule_ids:
            if rule_id not in self.rules:
                self.rules.append(rule_id)

    @property
    def final_verdict(self) -> str | None:
        """The verdict header, unless a later decision was stricter (a stream
        checked sentence by sentence announces `allow` before its last check)."""
        if self.verdict in (None, "handoff") or self.action is None:
            return self.verdict or (self.action.value if self.action else None)
        try:
            announced = Action(self.verdict)
        except ValueError:
            return self.verdict
        return self.action.value if self.action.rank > announced.rank else self.verdict

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


_current: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "guardrail_request_record", default=None
)


def current_record() -> RequestRecord | None:
    return _current.get()


@contextlib.contextmanager
def recording(record: RequestRecord) -> Iterator[RequestRecord]:
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


@contextlib.contextmanager
def stage(name: str, **attributes: str | int | bool) -> Iterator[None]:
    """Time a stage of the current request (summed if it runs several times)
    and, when tracing is on, wrap it in a span. Attributes: ids and counts only."""
    record = _current.get()
    if record is None:
        yield
        return
    started = time.perf_counter()
    span_context = (
        record.tracer.start_as_current_span(f"guardrail.{name}", attributes=attributes or None)
        if record.tracer is not None
        else contextlib.nullcontext()
    )
    try:
        with span_context:
            yield
    finally:
        record.add_seconds(name, time.perf_counter() - started)


def note_error(kind: str) -> None:
    """An error answered to the client: its code or type, never its message."""
    record = _current.get()
    if record is not None:
        record.error = kind


def note_model(model: str) -> None:
    record = _current.get()
    if record is not None:
        record.model = model


def note_decision(verdict: Verdict) -> None:
    record = _current.get()
    if record is not None:
        record.add_decision(verdict)


def note_entities(entity_types: Mapping[str, int]) -> None:
    record = _current.get()
    if record is not None:
        record.entities.update(entity_types)


def note_usage(usage: Mapping[str, Any] | None) -> None:
    """Token usage as the provider reported it (the last report wins)."""
    record = _current.get()
    if record is None or not usage:
        return
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        value = usage.get(key)
        if isinstance(value, int) and value >= 0:
            record.usage[key] = value
