"""Turn a completion and a verdict into the app's response: JSON or SSE, with
the X-Guardrail-* headers and the `guardrail` field in the body."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from starlette.responses import JSONResponse, Response

from guardrail.proxy import headers
from guardrail.proxy.call import ChatCall
from guardrail.proxy.completions import to_chunks
from guardrail.proxy.streaming import sse_response
from guardrail.types import Verdict


def verdict_headers(
    verdict: Verdict, *, hold_id: str | None = None, label: str | None = None
) -> dict[str, str]:
    out = {headers.VERDICT: label or verdict.action.value}
    if verdict.policy_version:
        out[headers.POLICY_VERSION] = verdict.policy_version
    if hold_id:
        out[headers.HOLD_ID] = hold_id
    return out


def guardrail_field(
    verdict: Verdict, *, hold_id: str | None = None, label: str | None = None, disclosure: str | None = None
) -> dict[str, Any]:
    """The `guardrail` field of a completion (or of a stream's last chunk)."""
    field: dict[str, Any] = {
        "verdict": label or verdict.action.value,
        "policy_version": verdict.policy_version,
        "rule_ids": verdict.rule_ids,
        "hold_id": hold_id,
    }
    if disclosure:
        field["disclosure"] = disclosure
    return field


def respond(
    call: ChatCall,
    completion: dict[str, Any],
    verdict: Verdict,
    *,
    hold_id: str | None = None,
    label: str | None = None,
    disclosure: str | None = None,
) -> Response:
    field = guardrail_field(verdict, hold_id=hold_id, label=label, disclosure=disclosure)
    response_headers = verdict_headers(verdict, hold_id=hold_id, label=label)
    if disclosure:
        response_headers[headers.DISCLOSURE] = "required"
    if call.request.stream:
        chunks = to_chunks(completion, include_usage=call.include_usage, final={"guardrail": field})
        return sse_response(_replay(chunks), response_headers)
    completion["guardrail"] = field
    return JSONResponse(completion, headers=response_headers)


async def _replay(chunks: Iterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for chunk in chunks:
        yield chunk
