"""POST /v1/embeddings, through the same de-identification as chat.

The provider embeds the de-identified text: a vector carries no text to
restore, so nothing comes back but the vectors. Token-id input cannot be
checked for personal data, so it is refused unless the app's policy set
protects nothing (a pure gateway).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from guardrail.errors import bad_request, service_unavailable
from guardrail.pii import PiiUnavailable
from guardrail.proxy import headers
from guardrail.proxy.body import read_json
from guardrail.services import Services

logger = logging.getLogger(__name__)

# The OpenAI embeddings parameters forwarded besides `model` and `input`.
EMBEDDING_PARAMETERS = frozenset({"dimensions", "encoding_format", "user"})
_MAX_INPUTS = 2048


def _texts(value: Any) -> list[str] | None:
    """The input as a list of strings; None for token ids (lists of ints)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _token_ids(value: Any) -> bool:
    def ids(item: Any) -> bool:
        return isinstance(item, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in item)

    return isinstance(value, list) and bool(value) and (ids(value) or all(ids(v) for v in value))


class EmbeddingsEndpoint:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def handle(self, request: Request, *, conversation_id: str | None = None) -> Response:
        body = await read_json(request, self.services.settings.max_body_bytes)
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.", code="invalid_body")
        name = body.get("model")
        if not isinstance(name, str) or not name:
            raise bad_request("Invalid request: 'model': a model name is required.", param="model")
        model = self.services.upstream.registry.get(name)
        app = self.services.settings.app_config(request.state.app_name)
        policy = self.services.policy_for(app)
        raw = body.get("input")
        texts = _texts(raw)
        if texts is None and not (_token_ids(raw) and policy.is_empty):
            message = (
                "Invalid request: 'input': send a string or a list of strings; token ids "
                "cannot be checked for personal data."
                if _token_ids(raw)
                else "Invalid request: 'input': send a string or a non-empty list of strings."
            )
            raise bad_request(message, param="input")
        if texts is not None and len(texts) > _MAX_INPUTS:
            raise bad_request(f"Invalid request: 'input': at most {_MAX_INPUTS} inputs.", param="input")
        fields = {k: v for k, v in body.items() if k in EMBEDDING_PARAMETERS and v is not None}
        inputs = raw if texts is None else await self._protect(texts, app.name, conversation_id, policy)
        data = await self.services.upstream.embed(model, inputs, fields)
        return JSONResponse(data, headers={headers.POLICY_VERSION: policy.version})

    async def _protect(
        self, texts: list[str], app: str, conversation_id: str | None, policy: Any
    ) -> list[str]:
        if policy.is_empty:
            return texts
        try:
            protected = await self.services.pii.protect(
                [{"role": "user", "content": text} for text in texts],
                scope=app,
                conversation_id=conversation_id,
                policy=policy.pii,
            )
        except PiiUnavailable:
            logger.error("de-identification unavailable; embeddings request refused")
            raise service_unavailable(
                "Personal-data protection is unavailable; the request was not sent.",
                code="pii_unavailable",
            ) from None
        if protected.blocked_entities:
            kinds = ", ".join(sorted(set(protected.blocked_entities)))
            raise bad_request(
                f"The input contains personal data this app may not send: {kinds}.",
                code="personal_data_blocked",
            )
        return [str(message["content"]) for message in protected.messages]
