"""Every text of the request the provider reads is de-identified: `user`,
`metadata`, tool descriptions and message names, not only the contents."""

from __future__ import annotations

import json

from tests.support.harness import MODEL, ProxyHarness

EMAIL = "dana.whitfield@example.com"


def test_user_metadata_tools_and_names_are_de_identified(guarded: ProxyHarness) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "email_customer",
                "description": f"Email the customer at {EMAIL}.",
                "parameters": {
                    "type": "object",
                    "properties": {"to": {"type": "string", "description": f"Defaults to {EMAIL}"}},
                },
            },
        }
    ]
    guarded.client().chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Where is my order?", "name": "dana_whitfield"}],
        user=EMAIL,
        tools=tools,  # type: ignore[arg-type]
        metadata={"customer": EMAIL},
    )
    sent = guarded.provider.texts_received()
    assert EMAIL not in sent
    (body,) = guarded.provider.received
    assert "<EMAIL_ADDRESS_1>" in json.dumps(body["tools"])
    name = body["messages"][0].get("name")
    assert name is None or all(ch.isalnum() or ch in "_-" for ch in name)
