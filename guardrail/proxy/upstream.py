"""Calls to the provider, and what their failures mean to the app.

The app names a public model (`model_name` in the model list); the provider's
model, base URL and key stay in the proxy's config and never reach the app.
This module routes each model: plain OpenAI-compatible entries take the lean
path (`openai_compatible`, one pooled httpx client) unless
`upstream.lean_openai_path` is off; everything else goes through litellm.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any

from guardrail.config import ModelEntry, UpstreamSettings, resolve_env_references
from guardrail.errors import ApiError, not_found
from guardrail.proxy.forwarding import forwarded_fields
from guardrail.proxy.litellm_setup import litellm
from guardrail.proxy.openai_compatible import (
    OPENAI_PREFIX,
    LeanTarget,
    OpenAICompatibleClient,
    ProviderCallError,
    lean_target,
)

logger = logging.getLogger(__name__)

# litellm passes these OpenAI parameters to an OpenAI-compatible server only
# when they travel in `extra_body` (it drops or rejects them as keywords).
_LITELLM_DROPS = frozenset({"metadata", "user", "verbosity"})


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
    """One provider call per chat completion, with the configured timeout/retries."""

    def __init__(self, registry: ModelRegistry, settings: UpstreamSettings) -> None:
        self.registry = registry
        self.settings = settings
        self._lean_targets: dict[str, LeanTarget] = {}
        if settings.lean_openai_path:
            for name in registry.names():
                target = _lean_target_for(registry.get(name))
                if target is not None:
                    self._lean_targets[name] = target
        self._lean = OpenAICompatibleClient(
            timeout_seconds=settings.timeout_seconds, max_retries=settings.max_retries
        )

    def uses_lean_path(self, public_name: str) -> bool:
        return public_name in self._lean_targets

    async def start(self) -> None:
        """Open the lean path's connection pool (app lifespan startup)."""
        if self._lean_targets:
            await self._lean.start()

    async def aclose(self) -> None:
        await self._lean.aclose()

    def _lean_fields(self, body: dict[str, Any], *, stream: bool) -> dict[str, Any]:
        fields = forwarded_fields(body, self.settings.extra_fields, stream=stream)
        return {**fields.extras, **fields.parameters}

    def _call_args(
        self, model: UpstreamModel, body: dict[str, Any], messages: list[dict[str, Any]], *, stream: bool
    ) -> dict[str, Any]:
        fields = forwarded_fields(body, self.settings.extra_fields, stream=stream)
        args = dict(fields.parameters)
        extra_body = dict(fields.extras)
        if str(model.params.get("model", "")).startswith(OPENAI_PREFIX):
            for name in _LITELLM_DROPS & set(args):
                extra_body[name] = args.pop(name)
        args.update(resolve_env_references(model.params))
        if extra_body:
            args["extra_body"] = {**extra_body, **(args.get("extra_body") or {})}
        args["messages"] = messages
        args.setdefault("timeout", self.settings.timeout_seconds)
        # The provider SDK's own retries (connection errors, 408/409/429/5xx),
        # not litellm's `num_retries`: with tenacity installed (any package may
        # pull it in) that wrapper retries every error, 400s included.
        if "num_retries" not in args:
            args.setdefault("max_retries", self.settings.max_retries)
        return args

    async def complete(
        self, model: UpstreamModel, body: dict[str, Any], messages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        target = self._lean_targets.get(model.public_name)
        if target is not None:
            try:
                return await self._lean.complete(
                    target, model.public_name, self._lean_fields(body, stream=False), messages
                )
            except ProviderCallError as exc:
                raise provider_error(exc) from None
        args = self._call_args(model, body, messages, stream=False)
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
        target = self._lean_targets.get(model.public_name)
        if target is not None:
            try:
                lean_stream = await self._lean.stream(
                    target, model.public_name, self._lean_fields(body, stream=True), messages
                )
            except ProviderCallError as exc:
                raise provider_error(exc) from None
            return _mapped(lean_stream)
        args = self._call_args(model, body, messages, stream=True)
        args["stream"] = True
        try:
            stream = await litellm.acompletion(**args)
        except Exception as exc:
            raise provider_error(exc) from None
        return _chunks(stream, model.public_name)


    async def embed(self, model: UpstreamModel, inputs: list[str], fields: dict[str, Any]) -> dict[str, Any]:
        """Embeddings of already de-identified `inputs`; `fields` are the
        forwarded embeddings parameters (`embeddings.EMBEDDING_PARAMETERS`)."""
        target = self._lean_targets.get(model.public_name)
        if target is not None:
            try:
                return await self._lean.embed(target, model.public_name, {**fields, "input": inputs})
            except ProviderCallError as exc:
                raise provider_error(exc) from None
        args: dict[str, Any] = {**resolve_env_references(model.params), "input": inputs}
        if str(model.params.get("model", "")).startswith(OPENAI_PREFIX):
            # litellm checks `dimensions` against OpenAI's own models; as
            # extra_body they reach an OpenAI-compatible server as the lean path sends them.
            args["extra_body"] = {**fields, **(args.get("extra_body") or {})}
        else:
            args.update(fields)
        args.setdefault("timeout", self.settings.timeout_seconds)
        if "num_retries" not in args:  # as for chat: the SDK's retries, not litellm's
            args.setdefault("max_retries", self.settings.max_retries)
        try:
            response = await litellm.aembedding(**args)
        except Exception as exc:
            raise provider_error(exc) from None
        data: dict[str, Any] = response.model_dump(exclude_none=True)
        data["model"] = model.public_name
        return data


def _lean_target_for(model: UpstreamModel) -> LeanTarget | None:
    target = lean_target(model.params)
    if target is None:
        return None
    name = target.provider_model
    # litellm rewrites requests for OpenAI's own catalogue models (o-series and
    # gpt-5 parameter renames, `user` kept, ...): identical behaviour there
    # means litellm's tables, so those stay on litellm.
    if (
        name in litellm.open_ai_chat_completion_models
        or name in litellm.open_ai_text_completion_models
        or _litellm_rewrites(OPENAI_PREFIX + name)
    ):
        return None
    return target


def _litellm_rewrites(model: str) -> bool:
    from litellm.llms.openai.chat.gpt_5_transformation import OpenAIGPT5Config
    from litellm.llms.openai.openai import openaiOSeriesConfig

    name = model[len(OPENAI_PREFIX) :]
    return bool(
        openaiOSeriesConfig.is_model_o_series_model(name) or OpenAIGPT5Config.is_model_gpt_5_model(name)
    )


async def _mapped(chunks: AsyncGenerator[dict[str, Any], None]) -> AsyncIterator[dict[str, Any]]:
    try:
        async for chunk in chunks:
            yield chunk
    except ProviderCallError as exc:
        raise provider_error(exc) from None
    finally:
        # A client that hangs up stops us early: hand the connection back now.
        await chunks.aclose()


async def _chunks(stream: Any, public_name: str) -> AsyncIterator[dict[str, Any]]:
    try:
        async for chunk in stream:
            data: dict[str, Any] = chunk.model_dump(exclude_none=True)
            data["model"] = public_name
            if data.get("usage") and not any(_carries(c) for c in data.get("choices") or []):
                # litellm dresses OpenAI's usage chunk in an empty choice: undo
                # it, so both paths end a stream the same way.
                data["choices"] = []
            yield data
    except Exception as exc:
        raise provider_error(exc) from None


def _carries(choice: dict[str, Any]) -> bool:
    return bool(choice.get("delta") or choice.get("finish_reason") or choice.get("logprobs"))


def provider_error(exc: Exception) -> ApiError:
    """Map a litellm/provider failure to an OpenAI-style error for the app.

    The provider's own message is logged by class and status only and never
    forwarded: it can echo the request. A provider rejecting *our* credentials
    is the proxy's misconfiguration, so the app sees a 502, not a 401 that
    would make it doubt its own app key.
    """
    status = getattr(exc, "status_code", None)
    lean = exc if isinstance(exc, ProviderCallError) else None
    kind = f"lean {lean.kind}" if lean else type(exc).__name__
    logger.warning("provider call failed: %s (status %s)", kind, status)
    if isinstance(exc, litellm.exceptions.Timeout) or status == 408 or (lean and lean.kind == "timeout"):
        return ApiError(504, "The provider did not answer in time.", type="timeout", code="provider_timeout")
    if isinstance(exc, litellm.exceptions.ContextWindowExceededError) or (
        lean and lean.reason == "context_window"
    ):
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
    if isinstance(exc, litellm.exceptions.ContentPolicyViolationError) or (
        lean and lean.reason == "content_policy"
    ):
        return ApiError(
            400,
            "The provider refused the request under its content policy.",
            code="content_policy_violation",
        )
    if isinstance(
        exc, (litellm.exceptions.BadRequestError, litellm.exceptions.UnprocessableEntityError)
    ) or status in (400, 422):
        return ApiError(400, "The provider rejected the request as invalid.", code="provider_bad_request")
    if (isinstance(exc, litellm.exceptions.APIConnectionError) and status is None) or (
        lean and lean.kind == "unreachable"
    ):
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
