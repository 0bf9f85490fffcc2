"""Every failure reaches the app as an OpenAI-shaped error with the right status,
never with a stack trace or the request's text."""

from __future__ import annotations

import asyncio
import json

import httpx
import openai
import pytest
import redis.asyncio as aioredis

from guardrail.app_keys import KeyStore
from guardrail.standin import Reply
from tests.support.harness import MODEL, ProxyHarness

SECRET_TEXT = "my card is 4111 1111 1111 1111"


def _post(
    gateway: ProxyHarness, content: bytes | str, *, key: str | None = None, **headers: str
) -> httpx.Response:
    return httpx.post(
        f"{gateway.base_url}/chat/completions",
        content=content,
        headers={
            "Authorization": f"Bearer {key or gateway.key()}",
            "Content-Type": "application/json",
            **headers,
        },
        timeout=10,
    )


def _assert_openai_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "param", "code"}
    assert "Traceback" not in response.text
    assert "4111" not in response.text
    return error


def test_missing_key_is_401(gateway: ProxyHarness) -> None:
    response = httpx.post(f"{gateway.base_url}/chat/completions", json={"model": MODEL, "messages": []})
    assert _assert_openai_error(response, 401)["type"] == "authentication_error"


def test_bad_key_is_401_through_the_sdk(gateway: ProxyHarness) -> None:
    client = openai.OpenAI(base_url=gateway.base_url, api_key="gr-not-a-real-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.AuthenticationError):
        client.models.list()


def test_revoked_key_is_401(gateway: ProxyHarness) -> None:
    async def create_and_revoke() -> str:
        client = aioredis.Redis.from_url(gateway.settings.redis_url or "")
        store = KeyStore(client, prefix=gateway.settings.redis_prefix)
        secret, key = await store.create("temporary")
        await store.revoke(key.key_id)
        await client.aclose()
        return secret

    secret = asyncio.run(create_and_revoke())
    response = _post(gateway, '{"model": "x", "messages": []}', key=secret)
    _assert_openai_error(response, 401)


def test_malformed_json_is_400(gateway: ProxyHarness) -> None:
    error = _assert_openai_error(_post(gateway, '{"model": "support-bot", "messages": [' + SECRET_TEXT), 400)
    assert error["code"] == "invalid_json"


def test_schema_violation_names_the_field(gateway: ProxyHarness) -> None:
    body = json.dumps({"model": "support-bot", "messages": [{"role": "customer", "content": SECRET_TEXT}]})
    error = _assert_openai_error(_post(gateway, body), 400)
    assert error["param"] == "messages.0.role"
    assert "messages.0.role" in error["message"]


def test_schema_violation_through_the_sdk(gateway: ProxyHarness) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        gateway.client().chat.completions.create(model=MODEL, messages=[])
    assert caught.value.param == "messages"


def test_body_over_limit_is_413(gateway: ProxyHarness) -> None:
    big = "x" * (2 * 1024 * 1024 + 10)
    body = json.dumps({"model": "support-bot", "messages": [{"role": "user", "content": big}]})
    error = _assert_openai_error(_post(gateway, body), 413)
    assert error["code"] == "request_too_large"


def test_chunked_body_over_limit_is_413(gateway: ProxyHarness) -> None:
    def chunks():
        yield b'{"model": "support-bot", "messages": [{"role": "user", "content": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}]}'

    _assert_openai_error(_post(gateway, chunks()), 413)


def test_provider_timeout_is_504(gateway: ProxyHarness) -> None:
    gateway.provider.responder = lambda body: Reply(content="late", delay_seconds=3.5)
    with pytest.raises(openai.APIStatusError) as caught:
        gateway.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": SECRET_TEXT}]
        )
    assert caught.value.status_code == 504
    assert "4111" not in str(caught.value.body)


@pytest.mark.parametrize(
    ("provider_status", "app_status", "sdk_error"),
    [
        (400, 400, openai.BadRequestError),
        (401, 502, openai.APIStatusError),
        (404, 404, openai.NotFoundError),
        (429, 429, openai.RateLimitError),
        (500, 502, openai.APIStatusError),
        (503, 503, openai.APIStatusError),
    ],
)
def test_provider_errors_are_mapped(
    gateway: ProxyHarness, provider_status: int, app_status: int, sdk_error: type[Exception]
) -> None:
    gateway.provider.responder = lambda body: Reply(
        status=provider_status, error_message=f"provider says: you sent '{SECRET_TEXT}'"
    )
    with pytest.raises(sdk_error) as caught:
        gateway.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": SECRET_TEXT}]
        )
    error = caught.value
    assert getattr(error, "status_code", None) == app_status
    assert "4111" not in str(getattr(error, "body", ""))
    assert "Traceback" not in str(getattr(error, "body", ""))


def test_provider_error_while_streaming_is_an_error_not_a_hang(gateway: ProxyHarness) -> None:
    gateway.provider.responder = lambda body: Reply(status=500)
    with pytest.raises(openai.APIStatusError) as caught:
        list(
            gateway.client().chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "hi"}], stream=True
            )
        )
    assert caught.value.status_code == 502


def test_unknown_path_is_openai_404(gateway: ProxyHarness) -> None:
    response = httpx.get(
        f"{gateway.proxy.url}/v1/nothing-here", headers={"Authorization": f"Bearer {gateway.key()}"}
    )
    _assert_openai_error(response, 404)


def test_health_and_readiness(gateway: ProxyHarness) -> None:
    assert httpx.get(f"{gateway.proxy.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{gateway.proxy.url}/readyz").json() == {"status": "ready"}


def test_bad_hold_headers_are_400(gateway: ProxyHarness) -> None:
    body = '{"model": "support-bot", "messages": [{"role": "user", "content": "hi"}]}'
    error = _assert_openai_error(_post(gateway, body, **{"X-Guardrail-Hold-Mode": "forever"}), 400)
    assert error["param"] == "X-Guardrail-Hold-Mode"
