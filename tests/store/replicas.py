"""Proxy replicas in front of the stand-in provider, on a Redis the settings
name (a Cluster node, Sentinels): the same app factory a deployment runs."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from typing import Any

import httpx

from guardrail.app import create_app
from guardrail.app_keys import KeyStore
from guardrail.config import ConfigFile, Settings
from guardrail.review.reviewers import ReviewerStore, Role
from guardrail.standin import Reply, StandInProvider, ThreadedServer
from guardrail.store import open_redis
from tests.support.harness import MODEL, SHIPPED_POLICIES

RUDE = "This is your own fault for entering the wrong address."
VAULT_KEY = "replica-tests-vault-key-0123456789abcdef0123456789"


@contextlib.contextmanager
def stand_in(reply: str = RUDE) -> Iterator[ThreadedServer]:
    provider = StandInProvider(lambda body: Reply(content=reply))
    with ThreadedServer(provider.app) as server:
        yield server


def replica_settings(upstream: ThreadedServer, **redis: Any) -> Settings:
    model = {"model_name": MODEL, "litellm_params": {
        "model": "openai/stand-in", "api_base": f"{upstream.url}/v1", "api_key": "provider-key"}}
    return Settings(policies_dir=SHIPPED_POLICIES, vault_keys=[VAULT_KEY],
                    file=ConfigFile.model_validate({"model_list": [model]}), **redis)


@contextlib.contextmanager
def replica(settings: Settings) -> Iterator[ThreadedServer]:
    with ThreadedServer(create_app(settings)) as server:
        yield server


def app_key_and_reviewer(settings: Settings, app: str = "shop") -> tuple[str, str]:
    """An app key and a reviewer token, written the way the CLI writes them."""

    async def create() -> tuple[str, str]:
        handle = open_redis(settings)
        try:
            key, _ = await KeyStore(handle.client, prefix=settings.shared_prefix).create(app)
            store = ReviewerStore(handle.client, prefix=settings.shared_prefix)
            await store.remove("alice")
            _, token = await store.add("alice", Role("reviewer"), can_reveal=True)
            return key, token
        finally:
            await handle.close()

    return asyncio.run(create())


def chat(proxy: ThreadedServer, key: str, text: str, *, wait: float | None = None,
         timeout: float = 60) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"}
    if wait is not None:
        headers.update({"X-Guardrail-Hold-Mode": "wait", "X-Guardrail-Hold-Wait": f"{wait:g}"})
    else:
        headers["X-Guardrail-Hold-Mode"] = "async"
    return httpx.post(f"{proxy.url}/v1/chat/completions", headers=headers, timeout=timeout,
                      json={"model": MODEL, "messages": [{"role": "user", "content": text}]})


def pending_holds(proxy: ThreadedServer, token: str) -> list[str]:
    response = httpx.get(f"{proxy.url}/review/api/holds", params={"status": "pending"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)
    response.raise_for_status()
    return [item["id"] for item in response.json()["data"]]


def wait_for_pending(proxy: ThreadedServer, token: str, count: int = 1, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ids = pending_holds(proxy, token)
        if len(ids) >= count:
            return ids
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} pending holds after {timeout:.0f} s")


def decide(proxy: ThreadedServer, token: str, hold_id: str, decision: str,
           text: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"decision": decision}
    if text is not None:
        body["text"] = text
    return httpx.post(f"{proxy.url}/review/api/holds/{hold_id}/decision", json=body,
                      headers={"Authorization": f"Bearer {token}"}, timeout=10)
