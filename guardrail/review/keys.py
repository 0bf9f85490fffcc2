"""Where the review queue keeps things in Redis, all under one prefix."""

from __future__ import annotations

from dataclasses import dataclass

from guardrail.audit import AuditKeys


@dataclass(frozen=True, slots=True)
class ReviewKeys:
    prefix: str

    @property
    def base(self) -> str:
        """Per-hold keys are `{base}hold:{id}` (hash) and `{base}done:{id}` (result stream)."""
        return f"{self.prefix}review:"

    def hold(self, hold_id: str) -> str:
        return f"{self.base}hold:{hold_id}"

    def done(self, hold_id: str) -> str:
        return f"{self.base}done:{hold_id}"

    def wake(self, process_token: str) -> str:
        """Stream a new waiter appends to, so its process's outcome reader looks again."""
        return f"{self.base}wake:{process_token}"

    @property
    def open(self) -> str:
        """Zset of pending/claimed holds, scored risk * 1e13 + created ms."""
        return f"{self.base}open"

    @property
    def closed(self) -> str:
        """Zset of decided/expired holds, scored by decision time (ms)."""
        return f"{self.base}closed"

    @property
    def deadlines(self) -> str:
        return f"{self.base}deadlines"

    @property
    def outbox(self) -> str:
        """Zset of hold ids whose outcome still has to be sent by webhook, scored by due ms."""
        return f"{self.base}webhooks:due"

    @property
    def outbox_attempts(self) -> str:
        return f"{self.base}webhooks:attempts"

    @property
    def outbox_dead(self) -> str:
        return f"{self.base}webhooks:dead"

    @property
    def labels(self) -> str:
        """Stream of decision labels (one entry per closed hold), trimmed by age."""
        return f"{self.base}labels"

    @property
    def label_counts(self) -> str:
        """Hash of decision counters; a field is app, rule id, reviewer call and
        `enforced`/`shadow` joined by newlines (for reports: app, '', call, kind)."""
        return f"{self.base}labels:counts"

    @property
    def claims(self) -> str:
        """Zset of claimed hold ids, scored by when the claim runs out (ms)."""
        return f"{self.base}claims"

    def response(self, app: str, response_id: str) -> str:
        return f"{self.base}response:{app}:{response_id}"

    def report(self, app: str, response_id: str) -> str:
        return f"{self.base}report:{app}:{response_id}"

    def globals(self, audit: AuditKeys) -> list[str]:
        """KEYS for every queue script, in the order `scripts.py` expects."""
        return [self.open, self.closed, self.deadlines, self.outbox, audit.stream, audit.head,
                self.labels, self.label_counts, self.claims]
