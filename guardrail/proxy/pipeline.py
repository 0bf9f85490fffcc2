"""The path of one chat completion: protect, check the request, call the
provider, restore, check the answer, then release, modify, hold or block.

This module only orders the stages; each stage lives in its own module.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.responses import JSONResponse, Response

from guardrail.chat_messages import latest_customer_text
from guardrail.errors import bad_request, service_unavailable
from guardrail.language import detect_language
from guardrail.pii import PiiUnavailable
from guardrail.proxy.answers import review_completion
from guardrail.proxy.call import ChatCall
from guardrail.proxy.completions import text_completion
from guardrail.proxy.holds import HoldDesk
from guardrail.proxy.responding import respond, verdict_headers
from guardrail.proxy.sentences import sentence_stream
from guardrail.proxy.streaming import (
    buffered_stream,
    passthrough_stream,
    restoring_stream,
    sse_response,
)
from guardrail.proxy.upstream import Upstream
from guardrail.review.model import QueueUnavailable
from guardrail.services import Services
from guardrail.types import Action, CheckContext, Verdict

logger = logging.getLogger(__name__)


class ChatPipeline:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.upstream: Upstream = services.upstream
        self.holds = HoldDesk(services)

    async def run(self, call: ChatCall) -> Response:
        model = self.upstream.registry.get(call.request.model)
        policy = self.services.policy_for(call.app)
        if policy.is_empty:
            # A pure gateway: nothing to protect or check, so add nothing.
            return await self._forward_untouched(call, model, policy.version)

        protected = await self._protect(call, policy)
        customer_text = latest_customer_text(protected.messages)
        context = CheckContext(
            language=detect_language(customer_text),
            # As the customer wrote it: the answer is checked re-identified, and
            # semantic rules discount what the customer said themselves.
            customer_text=latest_customer_text(call.messages),
            first_answer=not any(m.get("role") == "assistant" for m in call.messages),
        )
        request_verdict = policy.check_request(protected.messages, context)
        if request_verdict.action in (Action.HOLD, Action.BLOCK):
            await self.services.audit_decision(call, "request", request_verdict)
            return await self._answer_without_model(call, policy, protected, request_verdict)

        if call.request.stream and policy.streaming == "sentence":
            await self.services.audit_decision(call, "request", request_verdict)
            return await self._stream_by_sentence(call, model, policy, protected, context)

        # An allowed request's decision is recorded together with its answer's
        # (one round trip), still before anything is sent; if the provider or
        # the review fails, it is recorded on its own before the error goes out.
        try:
            if call.request.stream:
                chunks = await self.upstream.stream(model, call.body, protected.messages)
                completion = await buffered_stream(chunks)
            else:
                completion = await self.upstream.complete(model, call.body, protected.messages)

            review = await review_completion(
                completion, protected=protected, policy=policy, context=context, pii=self.services.pii
            )
        except Exception:
            await self.services.audit_decision(call, "request", request_verdict)
            raise
        decisions = [("request", request_verdict), ("answer", review.verdict)]
        if review.verdict.action is Action.HOLD:
            await self.services.audit_decisions(call, decisions)
            return await self.holds.hold(call, policy, protected, review)
        # The response log is written alongside; only the audit may fail the call.
        await asyncio.gather(
            self.services.audit_decisions(call, decisions), self._remember(call, protected, review)
        )
        return respond(call, review.completion, review.verdict)

    async def _remember(self, call: ChatCall, protected: Any, review: Any) -> None:
        """Keep the de-identified answer by response id, so a customer's
        report (/v1/feedback) can show a reviewer what was said."""
        try:
            await self.services.responses.record_response(
                review.completion["id"],
                app=call.app.name,
                conversation_id=protected.conversation_id,
                answer=review.deidentified_answer,
                policy_version=review.verdict.policy_version,
                messages=protected.messages,
            )
        except QueueUnavailable:
            # The answer itself is fine to send; only later reports lose context.
            logger.warning("response %s not recorded: queue unavailable", review.completion["id"])

    async def _stream_by_sentence(
        self, call: ChatCall, model: Any, policy: Any, protected: Any, context: CheckContext
    ) -> Response:
        """Rules that only allow or block: text goes out as it is checked."""
        chunks = await self.upstream.stream(model, call.body, protected.messages)
        headers = verdict_headers(Verdict(Action.ALLOW, policy_version=policy.version))
        if not policy.has_answer_rules:
            return sse_response(restoring_stream(chunks, protected), headers)

        async def on_verdict(verdict: Verdict) -> None:
            await self.services.audit_decision(call, "answer", verdict)

        checked = sentence_stream(
            chunks,
            protected=protected,
            policy=policy,
            context=context,
            pii=self.services.pii,
            on_verdict=on_verdict,
        )
        return sse_response(checked, headers)

    async def _forward_untouched(self, call: ChatCall, model: Any, version: str) -> Response:
        verdict = Verdict(Action.ALLOW, policy_version=version)
        if call.request.stream:
            chunks = await self.upstream.stream(model, call.body, call.messages)
            return sse_response(passthrough_stream(chunks), verdict_headers(verdict))
        completion = await self.upstream.complete(model, call.body, call.messages)
        return JSONResponse(completion, headers=verdict_headers(verdict))

    async def _protect(self, call: ChatCall, policy: Any) -> Any:
        try:
            protected = await self.services.pii.protect(
                call.messages,
                scope=call.app.name,
                conversation_id=call.conversation_id,
                policy=policy.pii,
            )
        except PiiUnavailable:
            # Fail closed: never send text we could not de-identify.
            logger.error("de-identification unavailable; request %s refused", call.request_id)
            raise service_unavailable(
                "Personal-data protection is unavailable; the request was not sent.",
                code="pii_unavailable",
            ) from None
        if protected.blocked_entities:
            kinds = ", ".join(sorted(set(protected.blocked_entities)))
            raise bad_request(
                f"The request contains personal data this app may not send: {kinds}. "
                "Remove it and try again.",
                code="personal_data_blocked",
            )
        return protected

    async def _answer_without_model(
        self, call: ChatCall, policy: Any, protected: Any, verdict: Verdict
    ) -> Response:
        """Handoff or blocked request: the model is never called."""
        hold_id = None
        if verdict.action is Action.HOLD:
            hold_id = await self.holds.handoff(call, policy, protected, verdict)
        text = verdict.text or policy.text(
            "fallback", detect_language(latest_customer_text(protected.messages))
        )
        completion = text_completion(call.request.model, text)
        return respond(call, completion, verdict, hold_id=hold_id, label=_request_label(verdict))


def _request_label(verdict: Verdict) -> str:
    if any(f.kind == "handoff" for f in verdict.findings):
        return "handoff"
    return verdict.action.value
