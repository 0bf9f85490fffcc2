"""Turn a completion and a verdict into the app's response: JSON or SSE, with
the X-Guardrail-* headers and the `guardrail` field in the body."""

from __future__ import annotations

from collections.abc import AsyncIterator
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


def respond(
    call: ChatCall,
    completion: dict[str, Any],
    verdict: Verdict,
    *,
    hold_id: str | None = None,
    label: str | None = None,
) -> Response:
    completion["guardrail"] = {
        "verdict": label or verdict.action.value,
        "policy_version": verdict.policy_version,
        "rule_ids": verdict.rule_ids,
        "hold_id": hold_id,
    }
    response_headers = verdict_headers(verdict, hold_id=hold_id, label=label)
    if call.request.stream:
        return sse_response(_replay(completion), response_headers)
    return JSONResponse(completion, headers=response_headers)


async def _replay(completion: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    for chunk in to_chunks(completion):
        yield chunk
