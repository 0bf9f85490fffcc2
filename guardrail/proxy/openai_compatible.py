"""The lean path: chat completions straight to an OpenAI-compatible server.

litellm costs ~4 ms CPU per request and ~1 ms per streamed chunk (see
bench/README.md), most of it translation, logging and cost bookkeeping that
an OpenAI-compatible upstream does not need. For a model-list entry that is
plainly `openai/<name>` + `api_base` (+ the few params below), this module
does the same call with one pooled `httpx.AsyncClient` and behaves the way
the litellm path does: the same timeout, the same retries (the openai SDK's
rules, which litellm uses for these models), the same response shapes.
Anything it cannot honour stays on litellm (see `lean_target`).

Nothing here logs or raises provider text: a provider's error body is read
only to classify the failure (context too long, content policy).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from guardrail.config import resolve_env_references

OPENAI_PREFIX = "openai/"

# litellm_params the lean path honours; any other key sends the model to litellm.
LEAN_PARAMS = frozenset(
    {"model", "api_base", "api_key", "timeout", "num_retries", "organization", "extra_headers"}
)

# The params read at call time (they may be `os.environ/NAME` references).
_CALL_PARAMS = frozenset({"api_base", "api_key", "organization", "extra_headers"})

# The openai SDK's retry constants, which litellm's openai provider relies on.
_INITIAL_RETRY_DELAY = 0.5
_MAX_RETRY_DELAY = 8.0
_MAX_RETRY_AFTER = 120.0
# The openai SDK's pool size, so concurrency limits match the litellm path.
_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


class ProviderCallError(Exception):
    """A failed call. Carries a kind and status for `provider_error`, never
    the provider's text (it can echo the request)."""

    def __init__(self, kind: str, status_code: int | None = None, *, reason: str | None = None) -> None:
        super().__init__(f"{kind} (status {status_code})")
        self.kind = kind  # "timeout" | "unreachable" | "status" | "bad_response"
        self.status_code = status_code
        # "context_window" | "content_policy" | None, from the provider's error code.
        self.reason = reason


@dataclass(frozen=True)
class LeanTarget:
    """How to call one OpenAI-compatible model directly."""

    provider_model: str
    params: dict[str, Any] = field(repr=False)  # api_base/api_key/... unresolved (os.environ/ refs)
    timeout: float | None
    num_retries: int | None


def lean_target(params: dict[str, Any]) -> LeanTarget | None:
    """A LeanTarget when the lean path can honour every param, else None."""
    model = params.get("model")
    if not isinstance(model, str) or not model.startswith(OPENAI_PREFIX):
        return None
    name = model[len(OPENAI_PREFIX) :]
    if not name or not set(params) <= LEAN_PARAMS:
        return None
    # Without these litellm falls back to OPENAI_API_KEY / api.openai.com.
    if not isinstance(params.get("api_base"), str) or not isinstance(params.get("api_key"), str):
        return None
    timeout, retries = params.get("timeout"), params.get("num_retries")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        return None  # litellm also accepts httpx.Timeout-like forms
    if retries is not None and (isinstance(retries, bool) or not isinstance(retries, int)):
        return None
    if "organization" in params and not isinstance(params["organization"], str):
        return None
    headers = params.get("extra_headers")
    if headers is not None and not isinstance(headers, dict):
        return None
    return LeanTarget(
        provider_model=name,
        params={k: v for k, v in params.items() if k in _CALL_PARAMS},
        timeout=float(timeout) if timeout is not None else None,
        num_retries=retries,
    )


class OpenAICompatibleClient:
    """One shared, pooled httpx client for every lean call of the process."""

    def __init__(self, *, timeout_seconds: float, max_retries: int) -> None:
        self._default_timeout = timeout_seconds
        self._default_retries = max_retries
        self._http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _client(self) -> httpx.AsyncClient:
        # Lazily too, for callers that never ran the app's lifespan.
        if self._http is None:
            self._http = httpx.AsyncClient(limits=_LIMITS, follow_redirects=False)
        return self._http

    async def complete(
        self, target: LeanTarget, public_name: str, body: dict[str, Any], messages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        response = await self._send(target, _payload(target, body, messages, stream=False), stream=False)
        try:
            data = json.loads(response.content)
        except ValueError:
            raise ProviderCallError("bad_response", response.status_code) from None
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            raise ProviderCallError("bad_response", response.status_code)
        return _tidy_completion(data, public_name)

    async def stream(
        self, target: LeanTarget, public_name: str, body: dict[str, Any], messages: list[dict[str, Any]]
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Open the stream first (errors and retries happen before any chunk)."""
        response = await self._send(target, _payload(target, body, messages, stream=True), stream=True)
        return _chunks(response, public_name)

    async def embed(self, target: LeanTarget, public_name: str, body: dict[str, Any]) -> dict[str, Any]:
        """An embeddings call; `body` holds the (de-identified) input and forwarded fields."""
        payload = json.dumps({**body, "model": target.provider_model}, ensure_ascii=False).encode()
        response = await self._send(target, payload, stream=False, path="/embeddings")
        try:
            data = json.loads(response.content)
        except ValueError:
            raise ProviderCallError("bad_response", response.status_code) from None
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise ProviderCallError("bad_response", response.status_code)
        data["model"] = public_name
        return data

    async def _send(
        self, target: LeanTarget, content: bytes, *, stream: bool, path: str = "/chat/completions"
    ) -> httpx.Response:
        client = self._client()
        params = resolve_env_references(target.params)  # at call time: rotated secrets apply
        url = str(params["api_base"]).rstrip("/") + path
        headers = _headers(params)
        timeout = httpx.Timeout(target.timeout if target.timeout is not None else self._default_timeout)
        retries = target.num_retries if target.num_retries is not None else self._default_retries
        attempt = 0
        while True:
            request = client.build_request("POST", url, content=content, headers=headers, timeout=timeout)
            response_headers: httpx.Headers | None = None
            try:
                response = await client.send(request, stream=stream)
            except httpx.TimeoutException:
                failure, retryable = ProviderCallError("timeout", 408), True
            except httpx.TransportError:
                failure, retryable = ProviderCallError("unreachable"), True
            else:
                if response.is_success:
                    return response
                try:
                    failure, retryable = await _status_failure(response)
                except httpx.TransportError:
                    failure, retryable = ProviderCallError("status", response.status_code), True
                finally:
                    await response.aclose()
                response_headers = response.headers
            if attempt >= retries or not retryable:
                raise failure
            await asyncio.sleep(_retry_delay(attempt, response_headers))
            attempt += 1


def _headers(params: dict[str, Any]) -> dict[str, str]:
    headers = {
        "Authorization": f"Bearer {params['api_key']}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    if params.get("organization"):
        headers["OpenAI-Organization"] = str(params["organization"])
    for name, value in (params.get("extra_headers") or {}).items():
        headers[str(name)] = str(value)
    return headers


def _payload(
    target: LeanTarget, body: dict[str, Any], messages: list[dict[str, Any]], *, stream: bool
) -> bytes:
    """The forwarded fields (`forwarding.forwarded_fields`, chosen by the
    caller) untouched, the provider's model name, the (de-identified) messages."""
    payload = dict(body)
    payload["model"] = target.provider_model
    payload["messages"] = messages
    if stream:
        payload["stream"] = True
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


async def _status_failure(response: httpx.Response) -> tuple[ProviderCallError, bool]:
    """Classify a non-2xx answer; whether the openai SDK would retry it."""
    await response.aread()
    status = response.status_code
    reason = _error_reason(response.content) if status in (400, 403, 422) else None
    return ProviderCallError("status", status, reason=reason), _should_retry(response)


def _error_reason(content: bytes) -> str | None:
    """The two 4xx classes litellm tells apart by the provider's wording."""
    try:
        error = json.loads(content).get("error")
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict):
        return None
    code = str(error.get("code") or "")
    message = str(error.get("message") or "").lower()
    if code == "context_length_exceeded" or "maximum context length" in message:
        return "context_window"
    if code == "content_policy_violation" or "content_policy_violation" in message:
        return "content_policy"
    return None


def _should_retry(response: httpx.Response) -> bool:
    """The openai SDK's rule (litellm hands retries to it for these models)."""
    retry_after = _retry_after(response.headers)
    if retry_after is not None and retry_after > _MAX_RETRY_AFTER:
        return False
    hint = response.headers.get("x-should-retry")
    if hint in ("true", "false"):
        return hint == "true"
    status = response.status_code
    return status in (408, 409, 429) or status >= 500


def _retry_delay(attempt: int, headers: httpx.Headers | None) -> float:
    retry_after = _retry_after(headers)
    if retry_after is not None and 0 < retry_after <= _MAX_RETRY_AFTER:
        return retry_after
    delay = min(_INITIAL_RETRY_DELAY * 2.0**attempt, _MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def _retry_after(headers: httpx.Headers | None) -> float | None:
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / scale
        except ValueError:
            continue  # an HTTP date: the SDK parses it; rare enough to use the backoff
        return seconds if math.isfinite(seconds) else None
    return None


async def _chunks(response: httpx.Response, public_name: str) -> AsyncGenerator[dict[str, Any], None]:
    """SSE `data:` events as chunk dicts, shaped as the litellm path's were."""
    try:
        async for data in _sse_data(response):
            if data == "[DONE]":
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                raise ProviderCallError("bad_response", response.status_code) from None
            if not isinstance(chunk, dict):
                raise ProviderCallError("bad_response", response.status_code)
            if "error" in chunk:
                # A provider failing mid-stream; litellm raises a generic API error.
                raise ProviderCallError("status")
            yield _tidy_chunk(chunk, public_name)
    except httpx.TimeoutException:
        raise ProviderCallError("timeout", 408) from None
    except httpx.TransportError:
        raise ProviderCallError("unreachable") from None
    finally:
        await response.aclose()


async def _sse_data(response: httpx.Response) -> AsyncIterator[str]:
    """The data of each server-sent event (multi-line data joined by \\n)."""
    buffer = b""
    data: list[bytes] = []
    async for piece in response.aiter_bytes():
        buffer += piece
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            line = line.rstrip(b"\r")
            if not line:
                if data:
                    yield b"\n".join(data).decode()
                    data = []
            elif line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(b" ") else value)
            # event:, id:, retry: and comments carry nothing the pipeline uses.
    line = buffer.rstrip(b"\r")
    if line.startswith(b"data:"):
        value = line[5:]
        data.append(value[1:] if value.startswith(b" ") else value)
    if data:
        yield b"\n".join(data).decode()


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _tidy_completion(data: dict[str, Any], public_name: str) -> dict[str, Any]:
    """Drop nulls down to the message, as litellm's `model_dump(exclude_none=True)`
    did, so checks and the SDK see the same shapes on both paths."""
    out = _without_none(data)
    out["choices"] = [_tidy_choice(choice, "message") for choice in data["choices"]]
    out["model"] = public_name
    return out


def _tidy_chunk(chunk: dict[str, Any], public_name: str) -> dict[str, Any]:
    out = _without_none(chunk)
    out["choices"] = [_tidy_choice(choice, "delta") for choice in chunk.get("choices") or []]
    out["model"] = public_name
    return out


def _tidy_choice(choice: Any, inner: str) -> Any:
    if not isinstance(choice, dict):
        return choice
    out = _without_none(choice)
    if isinstance(out.get(inner), dict):
        out[inner] = _without_none(out[inner])
    return out
