"""Every endpoint bounds what it reads: the chat endpoint by its own limit,
feedback and the reviewer and admin APIs by a small one; deep JSON is a 400."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.support.harness import MODEL, ProxyHarness, add_reviewer_with_role

BIG = b'{"comment": "' + b"x" * 300_000 + b'"}'


def _chunked(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), 16_384):
        yield data[start : start + 16_384]


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize(
    ("path", "auth"),
    [
        ("/v1/feedback", "app"),
        ("/review/api/holds/h_missing/decision", "reviewer"),
        ("/review/api/admin/keys", "admin"),
    ],
)
def test_large_bodies_are_a_413(guarded: ProxyHarness, path: str, auth: str, chunked: bool) -> None:
    token = {
        "app": lambda: guarded.key(),
        "reviewer": lambda: guarded.reviewer(),
        "admin": lambda: add_reviewer_with_role(
            guarded.settings.redis_url or "", guarded.settings.redis_prefix, "root", "admin"
        ),
    }[auth]()
    response = httpx.post(
        f"{guarded.proxy.url}{path}",
        content=_chunked(BIG) if chunked else BIG,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/feedback"])
def test_deeply_nested_json_is_a_400(guarded: ProxyHarness, path: str) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    body = '{"model": "' + MODEL + '", "messages": ' + deep + ', "response_id": "x"}'
    response = httpx.post(
        f"{guarded.proxy.url}{path}",
        content=body,
        headers={"Authorization": f"Bearer {guarded.key()}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_moderately_nested_json_past_the_parser_is_a_400_too(guarded: ProxyHarness) -> None:
    # Parsed fine (under the parser's recursion limit), too deep for what follows.
    deep = "[" * 500 + "]" * 500
    response = httpx.post(
        f"{guarded.base_url}/chat/completions",
        content=json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "hi"}]})[:-2]
        + ', "x": ' + deep + "}]}",
        headers={"Authorization": f"Bearer {guarded.key()}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
