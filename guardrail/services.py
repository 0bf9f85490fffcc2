"""The long-lived objects one proxy process shares, built once by the app
factory and handed to the handlers (no module-level globals)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from guardrail.app_keys import KeyStore
from guardrail.audit import AuditUnavailable
from guardrail.config import AppConfig, Settings
from guardrail.errors import service_unavailable
from guardrail.observability.record import note_decision
from guardrail.proxy.upstream import Upstream
from guardrail.types import Verdict

logger = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    redis: aioredis.Redis
    keys: KeyStore
    upstream: Upstream
    policies: Any
    pii: Any = None
    queue: Any = None
    audit: Any = None
    responses: Any = None

    def policy_for(self, app: AppConfig) -> Any:
        return self.policies.get(app.policy_set)

    async def audit_decision(self, call: Any, stage: str, verdict: Verdict) -> None:
        """Record a proxy decision: ids, kinds and rule ids only, never text."""
        await self.audit_decisions(call, [(stage, verdict)])

    async def audit_decisions(self, call: Any, decisions: list[tuple[str, Verdict]]) -> None:
        """Record several decisions of one call in order, in one round trip."""
        for _stage, verdict in decisions:
            note_decision(verdict)  # the request's log line and metrics
        entries = [
            (
                f"proxy.{stage}",
                {
                    "request_id": call.request_id,
                    "app": call.app.name,
                    "verdict": verdict.action.value,
                    "policy_version": verdict.policy_version,
                    "rules": sorted(set(verdict.rule_ids)),
                    "shadow_rules": sorted({f.rule_id for f in verdict.findings if f.shadow}),
                },
            )
            for stage, verdict in decisions
        ]
        try:
            await self.audit.record_many(entries)
        except AuditUnavailable:
            # An unrecorded decision is not acceptable: fail the request closed.
            raise service_unavailable("The audit log is unavailable.", code="audit_unavailable") from None
