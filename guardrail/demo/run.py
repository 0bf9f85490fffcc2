"""Run the demo: embedded Redis, scripted stand-in provider, the proxy with the
default policies, and a handful of customer conversations sent through it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import openai
import redis.asyncio as aioredis

from guardrail.app import create_app
from guardrail.app_keys import KeyStore
from guardrail.config import ConfigFile, ModelEntry, Settings, default_policies_dir
from guardrail.demo.conversations import EXAMPLES
from guardrail.demo.scripted_provider import demo_responder
from guardrail.review.reviewers import ReviewerStore, Role
from guardrail.standin import StandInProvider, ThreadedServer
from guardrail.standin.provider import last_user_text
from guardrail.store import EmbeddedRedis

MODEL = "support-bot"
PREFIX = "demo:"
REVIEWER = "demo-reviewer"

Echo = Callable[[str], None]


async def _credentials(redis_url: str) -> tuple[str, str]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        app_key, _ = await KeyStore(client, prefix=PREFIX).create("demo-shop")
        reviewers = ReviewerStore(client, prefix=PREFIX)
        await reviewers.remove(REVIEWER)  # a fresh token every run
        _, token = await reviewers.add(REVIEWER, Role.ADMIN, can_reveal=True)
        return app_key, token
    finally:
        await client.aclose()


def run_demo(*, host: str, port: int, data_dir: Path, wait: bool, echo: Echo) -> None:
    embedded = EmbeddedRedis(data_dir / "redis")
    redis_url = embedded.start()
    provider = StandInProvider(demo_responder, models=[MODEL])
    try:
        with ThreadedServer(provider.app) as upstream:
            settings = Settings(
                host=host,
                port=port,
                redis_url=redis_url,
                redis_prefix=PREFIX,
                data_dir=data_dir,
                policies_dir=default_policies_dir(),
                file=ConfigFile(
                    model_list=[
                        ModelEntry(
                            model_name=MODEL,
                            litellm_params={
                                "model": "openai/stand-in",
                                "api_base": f"{upstream.url}/v1",
                                "api_key": "stand-in-needs-no-key",
                            },
                        )
                    ]
                ),
            )
            echo("Starting guardrail (loading the personal-data models takes a few seconds)...")
            with ThreadedServer(create_app(settings), host=host, port=port) as proxy:
                app_key, token = asyncio.run(_credentials(redis_url))
                _send_examples(proxy.url, app_key, provider, echo)
                _print_access(proxy.url, app_key, token, echo)
                if wait:
                    echo("Press Ctrl-C to stop.")
                    _wait_forever()
    finally:
        embedded.stop()


def _send_examples(base: str, app_key: str, provider: StandInProvider, echo: Echo) -> None:
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=app_key, max_retries=0)
    echo("")
    echo("NOTE: answers come from a scripted stand-in provider, not a real model.")
    for number, example in enumerate(EXAMPLES, 1):
        provider.reset()
        raw = client.chat.completions.with_raw_response.create(
            model=MODEL,
            messages=[{"role": "user", "content": example.message}],
            extra_headers={"X-Guardrail-Hold-Mode": "async"},
        )
        completion = raw.parse()
        echo("")
        echo(f"[{number}] {example.title}: {example.shows}")
        echo(f"    customer wrote : {example.message}")
        if provider.received:
            echo(f"    provider saw   : {last_user_text(provider.received[-1])}")
        else:
            echo("    provider saw   : (nothing: the model was not called)")
        echo(f"    app received   : {completion.choices[0].message.content}")
        verdict = raw.headers.get("x-guardrail-verdict")
        hold_id = raw.headers.get("x-guardrail-hold-id")
        extra = f" (hold id {hold_id})" if hold_id else ""
        echo(f"    verdict        : {verdict}{extra}")


def _print_access(base: str, app_key: str, token: str, echo: Echo) -> None:
    echo("")
    echo(f"Review page : {base}/review")
    echo(f"  sign in as  {REVIEWER}")
    echo(f"  token       {token}")
    echo(f"Proxy       : {base}/v1   (app key {app_key})")
    echo("Try it      : " + json.dumps({"base_url": f"{base}/v1", "api_key": app_key}))


def _wait_forever() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
