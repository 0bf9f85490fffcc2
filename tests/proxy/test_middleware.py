"""An unexpected exception becomes an OpenAI-style 500 and its message (which
may quote a customer) reaches neither the client nor the logs."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from guardrail.proxy.middleware import UnexpectedErrorMiddleware

SECRET = "sarah.johnson@example.com"


async def exploding_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise ValueError(f"could not parse {SECRET}")


async def test_unexpected_error_is_a_clean_500(caplog: pytest.LogCaptureFixture) -> None:
    transport = httpx.ASGITransport(app=UnexpectedErrorMiddleware(exploding_app))
    with caplog.at_level(logging.DEBUG):
        async with httpx.AsyncClient(transport=transport, base_url="http://proxy") as client:
            response = await client.post("/v1/chat/completions", json={})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert SECRET not in response.text
    assert "ValueError" in caplog.text
    assert SECRET not in caplog.text
