"""Which request fields reach the provider: one rule for both upstream paths.

An app's body holds OpenAI chat-completions parameters, the proxy's own
fields, and whatever its SDK merged in from `extra_body`. Both upstream paths
(the lean OpenAI-compatible client and litellm) forward exactly the OpenAI
parameters below plus the extra fields the operator allows
(`upstream.extra_fields`), and nothing else: litellm also obeys its own
arguments (api_base, api_key, mock_response, ...) when they arrive as keyword
arguments, which would let an app send the proxy's provider key to a URL of
its choosing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

OPENAI_CHAT_PARAMETERS = frozenset(
    {
        "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
        "max_completion_tokens", "max_tokens", "metadata", "modalities", "n",
        "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
        "prompt_cache_retention", "reasoning_effort", "response_format", "safety_identifier",
        "seed", "service_tier", "stop", "store", "stream_options", "temperature", "tool_choice",
        "tools", "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
    }
)

# Set by the pipeline itself, never taken from the app's body.
_PIPELINE_FIELDS = frozenset({"model", "messages", "stream"})


@dataclass(frozen=True)
class Forwarded:
    """The fields of one request that go to the provider."""

    parameters: dict[str, Any]  # OpenAI parameters
    extras: dict[str, Any]  # allowed extra fields, sent as the SDK's extra_body would


def forwarded_fields(body: dict[str, Any], extra_fields: Iterable[str], *, stream: bool) -> Forwarded:
    allowed = frozenset(extra_fields) - OPENAI_CHAT_PARAMETERS - _PIPELINE_FIELDS
    # Null means "unset" for every OpenAI parameter: dropped, as litellm does.
    parameters = {k: v for k, v in body.items() if k in OPENAI_CHAT_PARAMETERS and v is not None}
    if not stream:
        parameters.pop("stream_options", None)  # only valid with stream: true
    extras = {k: v for k, v in body.items() if k in allowed and v is not None}
    dropped = set(body) - OPENAI_CHAT_PARAMETERS - allowed - _PIPELINE_FIELDS
    if dropped:
        # Field names come from the app: log only tidy ones, never values.
        shown = sorted(n for n in dropped if n.isidentifier() and len(n) <= 40)[:10]
        logger.info("%d request fields not forwarded: %s", len(dropped), ", ".join(shown))
    return Forwarded(parameters, extras)
