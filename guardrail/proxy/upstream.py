"""Calls to the provider through litellm, and what their failures mean to the app.

The app names a public model (`model_name` in the model list); the provider's
model, base URL and key stay in the proxy's config and never reach the app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from guardrail.config import ModelEntry, UpstreamSettings, resolve_env_references
from guardrail.errors import ApiError, not_found
from guardrail.proxy.litellm_setup import litellm

logger = logging.getLogger(__name__)

# Request fields that belong to the proxy, not the provider.
_PROXY_ONLY_FIELDS = frozenset({"model", "messages", "stream", "user_metadata"})


@dataclass(frozen=True)
class UpstreamModel:
    public_name: str
    params: dict[str, Any]


class ModelRegistry:
    """Public model names -> litellm parameters (LiteLLM's model_list format)."""

    def __init__(self, entries: list[ModelEntry]) -> None:
        self._models: dict[str, UpstreamModel] = {}
        for entry in entries:
            # First entry wins; LiteLLM load-balances duplicates, we keep it simple.
            self._models.setdefault(
                entry.model_name, UpstreamModel(entry.model_name, dict(entry.litellm_params))
            )

    def names(self) -> list[str]:
        return list(self._models)

    def get(self, name: str) -> UpstreamModel:
        model = self._models.get(name)
        if model is None:
            raise not_found(
                f"The model '{name}' does not exist or you do not have access to it.",
                param="model",
                code="model_not_found",
            )
        return model


class Upstream:
    """One litellm call per chat completion, with the configured timeout/retries."""

    def __init__(self, registry: ModelRegistry, settings: UpstreamSettings) -> None:
        self.registry = registry
        self.settings = settings

    def _call_args(
        self, model: UpstreamModel, body: dict[str, Any], messages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        args = {k: v for k, v in body.items() if k not in _PROXY_ONLY_FIELDS}
        args.update(resolve_env_references(model.params))
        args["messages"] = messages
        args.setdefault("timeout", self.settings.timeout_seconds)
        args.setdefault("num_retries", self.settings.max_retries)
        return args

    async def complete(
        self, model: UpstreamModel, body: dict[str, Any], messages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        args = self._call_args(model, body, messages)
        try:
            response = await litellm.acompletion(**args)
        except Exception as exc:
            raise provider_error(exc) from None
        data: dict[str, Any] = response.model_dump(exclude_none=True)
        data["model"] = model.public_name
        return data

    async def stream(
        self, model: UpstreamModel, body: dict[str, Any], messages: list[dict[str, Any]]
    ) -> AsyncIterator[dict[str, Any]]:
        """Open the stream first (so errors surface before any byte is sent)."""
        args = self._call_args(model, body, messages)
        args["stream"] = True
        try:
            stream = await litellm.acompletion(**args)
        except Exception as exc:
            raise provider_error(exc) from None
        return _chunks(stream, model.public_name)


async def _chunks(stream: Any, public_name: str) -> AsyncIterator[dict[str, Any]]:
    try:
        async for chunk in stream:
            data: dict[str, Any] = chunk.model_dump(exclude_none=True)
            data["model"] = public_name
            yield data
    except Exception as exc:
        raise provider_error(exc) from None


def provider_error(exc: Exception) -> ApiError:
    """Map a litellm/provider failure to an OpenAI-style error for the app.

    The provider's own message is logged by class and status only and never
    forwarded: it can echo the request. A provider rejecting *our* credentials
    is the proxy's misconfiguration, so the app sees a 502, not a 401 that
    would make it doubt its own app key.
    """
    status = getattr(exc, "status_code", None)
    kind = type(exc).__name__
    logger.warning("provider call failed: %s (status %s)", kind, status)
    if isinstance(exc, litellm.exceptions.Timeout) or status == 408:
        return ApiError(504, "The provider did not answer in time.", type="timeout", code="provider_timeout")
    if isinstance(exc, litellm.exceptions.ContextWindowExceededError):
        return ApiError(400, "The conversation is too long for this model.", code="context_length_exceeded")
    if isinstance(exc, litellm.exceptions.RateLimitError) or status == 429:
        return ApiError(
            429,
            "The provider is rate limiting requests; retry later.",
            type="rate_limit_error",
            code="provider_rate_limited",
        )
    if isinstance(
        exc, (litellm.exceptions.AuthenticationError, litellm.exceptions.PermissionDeniedError)
    ) or status in (401, 403):
        return ApiError(
            502,
            "The proxy could not authenticate with the provider.",
            type="upstream_error",
            code="provider_auth_failed",
        )
    if isinstance(exc, litellm.exceptions.NotFoundError) or status == 404:
        return ApiError(404, "The provider does not know this model.", code="provider_model_not_found")
    if isinstance(exc, litellm.exceptions.ContentPolicyViolationError):
        return ApiError(
            400,
            "The provider refused the request under its content policy.",
            code="content_policy_violation",
        )
    if isinstance(
        exc, (litellm.exceptions.BadRequestError, litellm.exceptions.UnprocessableEntityError)
    ) or status in (400, 422):
        return ApiError(400, "The provider rejected the request as invalid.", code="provider_bad_request")
    if isinstance(exc, litellm.exceptions.APIConnectionError) and status is None:
        return ApiError(
            502,
            "The provider could not be reached.",
            type="upstream_error",
            code="provider_unreachable",
        )
    if isinstance(exc, litellm.exceptions.ServiceUnavailableError) or status == 503:
        return ApiError(
            503,
            "The provider is unavailable; retry later.",
            type="server_error",
            code="provider_unavailable",
        )
    return ApiError(502, "The provider returned an error.", type="upstream_error", code="provider_error")
