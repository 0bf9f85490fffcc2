"""Parking answers and handoffs in the review queue (wired to the queue)."""

from __future__ import annotations

from typing import Any

from guardrail.errors import service_unavailable


class HoldDesk:
    def __init__(self, services: Any) -> None:
        self.services = services

    async def hold(self, call: Any, policy: Any, protected: Any, review: Any) -> Any:
        # Fail closed until the queue is wired: never release a held answer.
        raise service_unavailable(
            "The review queue is unavailable.", code="review_queue_unavailable"
        )

    async def handoff(self, call: Any, policy: Any, protected: Any, verdict: Any) -> str | None:
        raise service_unavailable(
            "The review queue is unavailable.", code="review_queue_unavailable"
        )
