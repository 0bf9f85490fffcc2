"""Tool-call arguments, function calls, refusals and reasoning reach the app
like the content does: they are restored and checked by the same rules."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from guardrail.standin import Reply
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

STRANGER_EMAIL = "someone.else@example.org"  # a value this customer never gave


@pytest.fixture(scope="module", params=["lean", "litellm"])
def guarded(redis_url: str, request: pytest.FixtureRequest) -> Iterator[ProxyHarness]:
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, lean=request.param == "lean") as harness:
        yield harness


def _tool_call(arguments: dict) -> list[dict]:
    return [{"id": "call_1", "function": {"name": "send_note", "arguments": json.dumps(arguments)}}]


def _ask(harness: ProxyHarness, *, stream: bool = False) -> httpx.Response:
    return httpx.post(
        f"{harness.base_url}/chat/completions",
        json={
            "model": MODEL,
            "stream": stream,
            "messages": [{"role": "user", "content": "Please note my delivery preference."}],
        },
        headers={"Authorization": f"Bearer {harness.key()}", "X-Guardrail-Hold-Mode": "async"},
        timeout=30,
    )


@pytest.mark.parametrize("stream", [False, True])
def test_profane_tool_arguments_are_not_released(guarded: ProxyHarness, stream: bool) -> None:
    guarded.provider.responder = lambda body: Reply(
        content=None, tool_calls=_tool_call({"note": "this customer is a fucking idiot"})
    )
    response = _ask(guarded, stream=stream)
    assert response.status_code == 200
    assert "idiot" not in response.text
    assert "send_note" not in response.text
    assert response.headers["x-guardrail-verdict"] == "block"


def test_foreign_personal_data_in_tool_arguments_is_not_released(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(
        content="Noted.", tool_calls=_tool_call({"cc": STRANGER_EMAIL})
    )
    response = _ask(guarded)
    assert STRANGER_EMAIL not in response.text
    assert "tool_calls" not in response.text
    assert "safety" in json.dumps(response.json()["guardrail"]["rule_ids"])


@pytest.mark.parametrize(
    "fields",
    [
        {"refusal": "I won't, you fucking idiot."},
        {"reasoning_content": "The customer is a fucking idiot; be brief."},
        {"function_call": {"name": "send_note", "arguments": json.dumps({"n": "fucking idiot"})}},
    ],
)
def test_refusal_reasoning_and_function_call_are_checked(guarded: ProxyHarness, fields: dict) -> None:
    guarded.provider.responder = lambda body: Reply(content="Noted.", message_fields=fields)
    response = _ask(guarded)
    assert "idiot" not in response.text
    assert response.headers["x-guardrail-verdict"] == "block"


def test_clean_tool_calls_still_go_through_restored(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(
        content=None, tool_calls=_tool_call({"note": "Leave it with <PERSON_1>"})
    )
    response = httpx.post(
        f"{guarded.base_url}/chat/completions",
        json={"model": MODEL, "messages": [{"role": "user", "content": "I'm Dana Whitfield, note it."}]},
        headers={"Authorization": f"Bearer {guarded.key()}"},
        timeout=30,
    )
    message = response.json()["choices"][0]["message"]
    assert json.loads(message["tool_calls"][0]["function"]["arguments"]) == {
        "note": "Leave it with Dana Whitfield"
    }
