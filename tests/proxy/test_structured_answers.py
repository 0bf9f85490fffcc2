"""A 'modify' verdict never edits a structured answer as text: JSON content
and tool calls arrive as the model wrote them, the disclosure beside them."""

from __future__ import annotations

import json

from guardrail.standin import Reply
from tests.support.harness import MODEL, ProxyHarness

CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "lookup_order", "arguments": '{"order": "1182"}'},
}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "parameters": {"type": "object", "properties": {"order": {"type": "string"}}},
        },
    }
]


def test_tool_call_with_text_keeps_both_and_discloses_beside_them(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content="Let me look that up.", tool_calls=[CALL])
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "Where is order 1182?"}], tools=TOOLS
    )
    reply = raw.parse()
    message = reply.choices[0].message
    assert message.content == "Let me look that up."
    assert message.tool_calls and message.tool_calls[0].function.arguments == '{"order": "1182"}'
    assert raw.headers["X-Guardrail-Disclosure"] == "required"
    assert "AI assistant" in reply.model_extra["guardrail"]["disclosure"]
    assert reply.model_extra["guardrail"]["verdict"] == "modify"


def test_plain_text_answers_still_get_the_sentence(guarded: ProxyHarness) -> None:
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "Do you sell lamps?"}], n=2
    )
    for choice in raw.parse().choices:
        assert "AI assistant" in (choice.message.content or "")
    assert "X-Guardrail-Disclosure" not in raw.headers


def test_later_answers_need_no_disclosure(guarded: ProxyHarness) -> None:
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "Hi! (You're chatting with our AI assistant.)"},
            {"role": "user", "content": "thanks"},
        ],
        response_format={"type": "json_object"},
    )
    assert "X-Guardrail-Disclosure" not in raw.headers
    assert "disclosure" not in raw.parse().model_extra["guardrail"]


def test_a_replacement_of_a_json_answer_goes_to_a_person(guarded: ProxyHarness) -> None:
    answer = json.dumps({"answer": "Sure, just email us and we'll remove everything."})
    guarded.provider.responder = lambda body: Reply(content=answer)
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Please delete my account"}],
        response_format={"type": "json_object"},
        extra_headers={"X-Guardrail-Hold-Mode": "async"},
    )
    assert raw.headers["x-guardrail-verdict"] == "hold"
    assert "governed.account-closure" in raw.parse().model_extra["guardrail"]["rule_ids"]
