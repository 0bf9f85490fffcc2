"""A real proxy in front of the stand-in provider, on 127.0.0.1.

Tests talk to it with the official openai SDK, exactly as an app would.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openai
import redis.asyncio as aioredis

from guardrail.app import create_app
from guardrail.app_keys import KeyStore
from guardrail.config import ConfigFile, ModelEntry, Settings
from guardrail.review.reviewers import ReviewerStore, Role
from guardrail.standin import StandInProvider, ThreadedServer

MODEL = "support-bot"
SHIPPED_POLICIES = Path(__file__).resolve().parents[2] / "policies"


def lean_path_default() -> bool:
    """Which upstream path proxies use unless a test picks one:
    GUARDRAIL_TEST_LEAN=0 runs the suite through litellm (default: lean, as shipped)."""
    return os.environ.get("GUARDRAIL_TEST_LEAN", "1") != "0"


class ProxyHarness:
    def __init__(self, provider: StandInProvider, proxy: ThreadedServer, settings: Settings, app: Any = None):
        self.provider = provider
        self.proxy = proxy
        self.settings = settings
        self.app = app
        self.keys: dict[str, str] = {}

    @property
    def base_url(self) -> str:
        return f"{self.proxy.url}/v1"

    def key(self, app: str = "shop") -> str:
        if app not in self.keys:
            self.keys[app] = asyncio.run(self._create_key(app))
        return self.keys[app]

    async def _create_key(self, app: str) -> str:
        client = aioredis.Redis.from_url(self.settings.redis_url or "")
        try:
            secret, _ = await KeyStore(client, prefix=self.settings.redis_prefix).create(app)
            return secret
        finally:
            await client.aclose()

    def reviewer(self, name: str = "alice") -> str:
        """A fresh token for a reviewer (who may reveal values)."""
        return add_reviewer(self.settings.redis_url or "", self.settings.redis_prefix, name)

    def client(self, app: str = "shop", **kwargs: Any) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=self.key(app), max_retries=0, **kwargs)

    def async_client(self, app: str = "shop", **kwargs: Any) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=self.key(app), max_retries=0, **kwargs)


def add_reviewer(redis_url: str, prefix: str, name: str = "alice") -> str:
    return add_reviewer_with_role(redis_url, prefix, name, "reviewer")


def add_reviewer_with_role(redis_url: str, prefix: str, name: str, role: str) -> str:
    async def add() -> str:
        client = aioredis.Redis.from_url(redis_url)
        try:
            store = ReviewerStore(client, prefix=prefix)
            await store.remove(name)
            _, token = await store.add(name, Role(role), can_reveal=True)
            return token
        finally:
            await client.aclose()

    return asyncio.run(add())


@contextmanager
def running_proxy(
    redis_url: str,
    *,
    policies_dir: Path | None,
    provider: StandInProvider | None = None,
    config: dict[str, Any] | None = None,
    models: list[str] | None = None,
    lean: bool | None = None,
    app_options: dict[str, Any] | None = None,
) -> Iterator[ProxyHarness]:
    provider = provider or StandInProvider()
    config = dict(config or {})
    upstream_config = {"lean_openai_path": lean_path_default() if lean is None else lean}
    config["upstream"] = {**upstream_config, **config.get("upstream", {})}
    with ThreadedServer(provider.app) as upstream:
        model_list = [
            ModelEntry(
                model_name=name,
                litellm_params={
                    "model": "openai/stand-in",
                    "api_base": f"{upstream.url}/v1",
                    "api_key": "provider-secret-key",
                },
            )
            for name in (models or [MODEL])
        ]
        file = ConfigFile.model_validate({**config, "model_list": [m.model_dump() for m in model_list]})
        settings = Settings(
            redis_url=redis_url,
            redis_prefix=f"gtest:{uuid.uuid4().hex[:8]}:",
            policies_dir=policies_dir,
            vault_keys=["test-vault-key-0123456789abcdef0123456789abcdef"],
            file=file,
            max_body_bytes=file.max_body_bytes,
            max_api_body_bytes=file.max_api_body_bytes,
            max_message_chars=file.max_message_chars,
            max_request_chars=file.max_request_chars,
            check_deadline_seconds=file.check_deadline_seconds,
            trusted_proxies=file.trusted_proxies,
        )
        app = create_app(settings, **(app_options or {}))
        with ThreadedServer(app) as proxy:
            yield ProxyHarness(provider, proxy, settings, app)
