"""Parking held answers and handoffs in the review queue, and waiting for them.

Fails closed: if the queue cannot take a hold, the answer is not released and
the app gets a 503. A waiting request that loses Redis gets a 503 carrying the
hold id, so the outcome can still be fetched once Redis is back.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import Response

from guardrail.chat_messages import latest_customer_text
from guardrail.errors import ApiError, service_unavailable
from guardrail.language import detect_language
from guardrail.proxy import headers
from guardrail.proxy.answers import AnswerReview
from guardrail.proxy.call import ChatCall
from guardrail.proxy.completions import text_completion
from guardrail.proxy.responding import respond
from guardrail.review.model import HoldKind, Outcome, QueueUnavailable
from guardrail.types import Verdict

logger = logging.getLogger(__name__)


class HoldDesk:
    def __init__(self, services: Any) -> None:
        self.services = services

    async def hold(self, call: ChatCall, policy: Any, protected: Any, review: AnswerReview) -> Response:
        held = review.held
        if held is None:  # pragma: no cover - the pipeline only calls us with one
            raise RuntimeError("hold without a held choice")
        settings = policy.hold
        # Placeholders are ASCII tags: the de-identified text tells the language
        # as well as the restored one, without restoring it just for this.
        language = detect_language(held.deidentified_answer)
        try:
            hold = await self.services.queue.park(
                kind=HoldKind.ANSWER,
                app=call.app.name,
                conversation_id=protected.conversation_id,
                messages=protected.messages,
                answer=held.deidentified_answer,
                findings=held.findings,
                suggestions=held.suggestions,
                policy_version=review.verdict.policy_version,
                fallback_text=policy.text("fallback", language),
                deadline_seconds=settings.review_deadline_seconds,
                stream=call.request.stream,
                model=call.request.model,
                language=language,
                meta={"request_id": call.request_id},
                labels=sorted(protected.labels),
            )
        except QueueUnavailable:
            logger.error("review queue unavailable; held answer for %s not released", call.request_id)
            raise service_unavailable(
                "The answer needs review but the review queue is unavailable; it was not released.",
                code="review_queue_unavailable",
            ) from None

        mode = call.hold_mode or settings.mode
        wait_seconds = call.hold_wait_seconds if call.hold_wait_seconds is not None else settings.wait_seconds
        waiting = mode == "wait" and wait_seconds > 0
        if waiting and not self.services.queue.waiters.has_room():
            # Too many requests already wait in this worker: answer at once
            # with the hold id (the app polls or gets the webhook) rather than
            # tie up more of the worker.
            logger.warning("waiting-hold cap reached; hold %s answered without waiting", hold.id)
            waiting = False
        if waiting:
            try:
                outcome = await self.services.queue.wait_for_outcome(hold.id, wait_seconds)
            except QueueUnavailable:
                raise ApiError(
                    503,
                    "The review queue became unavailable while waiting; fetch the outcome "
                    f"later from /v1/holds/{hold.id}.",
                    type="server_error",
                    code="review_queue_unavailable",
                    headers={headers.HOLD_ID: hold.id, "Retry-After": "1"},
                    extra={"guardrail": {"hold_id": hold.id}},
                ) from None
            if outcome is not None:
                return self._released(call, review.verdict, protected, outcome)
        text = policy.text("holding", language)
        return respond(
            call,
            text_completion(call.request.model, text),
            review.verdict,
            hold_id=hold.id,
            label="hold",
        )

    async def handoff(self, call: ChatCall, policy: Any, protected: Any, verdict: Verdict) -> str:
        customer = latest_customer_text(protected.messages)
        try:
            hold = await self.services.queue.park(
                kind=HoldKind.HANDOFF,
                app=call.app.name,
                conversation_id=protected.conversation_id,
                messages=protected.messages,
                findings=verdict.findings,
                policy_version=verdict.policy_version,
                model=call.request.model,
                language=detect_language(customer),
                meta={"request_id": call.request_id},
                labels=sorted(protected.labels),
            )
        except QueueUnavailable:
            # The customer still gets the handoff message; losing the queue
            # entry must not look like success, so say so loudly.
            logger.error("review queue unavailable; handoff for %s not queued", call.request_id)
            raise service_unavailable(
                "The handoff could not be queued; try again shortly.",
                code="review_queue_unavailable",
            ) from None
        hold_id: str = hold.id
        return hold_id

    def _released(self, call: ChatCall, verdict: Verdict, protected: Any, outcome: Outcome) -> Response:
        # A JSON answer gets its values escaped for where they land.
        restore = protected.restore_arguments if call.json_answer else protected.restore
        text = restore(outcome.text or "")
        completion = text_completion(call.request.model, text)
        response = respond(call, completion, verdict, hold_id=outcome.hold_id, label="hold")
        response.headers["X-Guardrail-Decision"] = str(outcome.decision)
        return response
