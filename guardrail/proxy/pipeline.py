"""The path of one chat completion: protect, check the request, call the
provider, restore, check the answer, then release, modify, hold or block.

This module only orders the stages; each stage lives in its own module.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from guardrail.chat_messages import latest_customer_text
from guardrail.errors import ApiError, bad_request, service_unavailable
from guardrail.language import detect_language
from guardrail.observability.record import note_entities, note_usage, stage
from guardrail.pii import PiiUnavailable
from guardrail.pii.limits import TextTooLarge
from guardrail.pii.request_fields import FIELDS as REQUEST_FIELDS
from guardrail.proxy.answers import review_completion
from guardrail.proxy.call import ChatCall
from guardrail.proxy.checking import check_request
from guardrail.proxy.completions import text_completion
from guardrail.proxy.headers import STREAMING_VERDICT
from guardrail.proxy.holds import HoldDesk
from guardrail.proxy.own_data import OwnText
from guardrail.proxy.pii_counts import new_entity_counts
from guardrail.proxy.responding import respond, verdict_headers
from guardrail.proxy.sentences import sentence_stream
from guardrail.proxy.streaming import (
    buffered_stream,
    passthrough_stream,
    restoring_stream,
    sse_response,
    well_formed,
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
            customer_text=customer_text,
            # As the customer wrote it: the answer is checked re-identified, and
            # semantic rules discount what the customer said themselves.
            customer_said=latest_customer_text(call.messages),
            first_answer=not any(_spoke(m) for m in call.messages),
        )
        deadline = self.services.settings.check_deadline_seconds
        with stage("checks"):
            request_verdict = await check_request(policy, protected.messages, context, deadline)
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
            sent = _sent_body(call, protected)
            with stage("upstream"):
                if call.request.stream:
                    chunks = await self.upstream.stream(model, sent, protected.messages)
                    completion = await buffered_stream(chunks)
                else:
                    completion = await self.upstream.complete(model, sent, protected.messages)
            note_usage(completion.get("usage"))

            # Some compatible servers send no id; the app needs one to report on.
            if not isinstance(completion.get("id"), str) or not completion["id"]:
                completion["id"] = f"chatcmpl-{uuid.uuid4().hex}"
            review = await review_completion(
                completion,
                protected=protected,
                policy=policy,
                context=context,
                pii=self.services.pii,
                json_answer=call.json_answer,
                own=OwnText(call.messages),
                deadline=deadline,
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
        return respond(call, review.completion, review.verdict, disclosure=review.disclosure)

    async def _remember(self, call: ChatCall, protected: Any, review: Any) -> None:
        """Keep the de-identified answer by response id, so a customer's
        report (/v1/feedback) can show a reviewer what was said."""
        # A blocked answer is kept as what the customer got (the fallback),
        # never as written: it may hold another customer's data.
        if review.verdict.action is Action.BLOCK:
            answer = review.verdict.text or ""
        else:
            answer = review.deidentified_answer
        try:
            await self.services.responses.record_response(
                review.completion["id"],
                app=call.app.name,
                conversation_id=protected.conversation_id,
                answer=answer,
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
        with stage("upstream"):  # until the provider starts answering
            chunks = await self.upstream.stream(model, _sent_body(call, protected), protected.messages)
        if not policy.has_answer_rules:
            headers = verdict_headers(Verdict(Action.ALLOW, policy_version=policy.version))
            restored = restoring_stream(chunks, protected, json_content=call.json_answer)
            return sse_response(well_formed(restored, include_usage=call.include_usage), headers)

        async def on_verdict(verdict: Verdict) -> None:
            await self.services.audit_decision(call, "answer", verdict)

        checked = sentence_stream(
            chunks,
            protected=protected,
            policy=policy,
            context=context,
            pii=self.services.pii,
            on_verdict=on_verdict,
            json_content=call.json_answer,
            own=OwnText(call.messages),
            deadline=self.services.settings.check_deadline_seconds,
        )
        # The verdict is not known when the headers go: the header says so,
        # and the final verdict rides on the stream's last chunk.
        headers = verdict_headers(
            Verdict(Action.ALLOW, policy_version=policy.version), label=STREAMING_VERDICT
        )
        return sse_response(well_formed(checked, include_usage=call.include_usage), headers)

    async def _forward_untouched(self, call: ChatCall, model: Any, version: str) -> Response:
        verdict = Verdict(Action.ALLOW, policy_version=version)
        if call.request.stream:
            with stage("upstream"):  # until the provider starts answering
                chunks = await self.upstream.stream(model, call.body, call.messages)
            forwarded = well_formed(passthrough_stream(chunks), include_usage=call.include_usage)
            return sse_response(forwarded, verdict_headers(verdict))
        with stage("upstream"):
            completion = await self.upstream.complete(model, call.body, call.messages)
        note_usage(completion.get("usage"))
        return JSONResponse(completion, headers=verdict_headers(verdict))

    async def _protect(self, call: ChatCall, policy: Any) -> Any:
        try:
            with stage("deidentify"):
                protected = await self.services.pii.protect(
                    call.messages,
                    scope=call.app.name,
                    conversation_id=call.conversation_id,
                    policy=policy.pii,
                    user=_user_field(call.body),
                    fields={name: call.body[name] for name in REQUEST_FIELDS if name in call.body},
                )
        except TextTooLarge as exc:
            raise ApiError(
                413,
                f"{exc.what} is longer than this proxy analyses ({exc.limit} characters); "
                "nothing was sent. Shorten it or split it over several requests.",
                code="text_too_large",
            ) from None
        except PiiUnavailable:
            # Fail closed: never send text we could not de-identify.
            logger.error("de-identification unavailable; request %s refused", call.request_id)
            raise service_unavailable(
                "Personal-data protection is unavailable; the request was not sent.",
                code="pii_unavailable",
            ) from None
        note_entities(new_entity_counts(protected.messages))
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


def _spoke(message: Any) -> bool:
    """An assistant message the customer saw text of (a bare tool call is not)."""
    if not isinstance(message, dict) or message.get("role") != "assistant":
        return False
    content = message.get("content")
    if isinstance(content, list):
        return any(isinstance(p, dict) and str(p.get("text") or "").strip() for p in content)
    return bool(str(content or "").strip())


def _sent_body(call: ChatCall, protected: Any) -> dict[str, Any]:
    """The request as the provider gets it: user, metadata and tools de-identified."""
    return {**call.body, **protected.fields}


def _request_label(verdict: Verdict) -> str:
    if any(f.kind == "handoff" for f in verdict.findings):
        return "handoff"
    return verdict.action.value


def _user_field(body: dict[str, Any]) -> str | None:
    # OpenAI's end-user id; only a string means anything here.
    user = body.get("user")
    return user if isinstance(user, str) and user else None
