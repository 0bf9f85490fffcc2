"""Tool-call arguments: de-identified inside their JSON, restored with escaping."""

from __future__ import annotations

import json

from guardrail.pii import PiiService
from guardrail.pii.conversation import ProtectedConversation
from tests.pii.chat import user


async def test_arguments_round_trip_with_quotes_and_backslashes(pii_service: PiiService, policy):
    note = r"path C:\tmp\"quoted\""
    messages = [
        user("I'm Sarah Connor, email sarah.connor@example.com, card 4111-1111-1111-1111"),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {
                        "name": "find_customer",
                        "arguments": json.dumps(
                            {"email": "sarah.connor@example.com", "phone": 2125550199, "note": note}
                        ),
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": json.dumps({"name": "Sarah Connor"})},
    ]
    protected = await pii_service.protect(messages, scope="app", conversation_id=None, policy=policy)
    arguments = json.loads(protected.messages[1]["tool_calls"][0]["function"]["arguments"])
    assert arguments["email"] == "<EMAIL_ADDRESS_1>"
    assert "2125550199" not in json.dumps(protected.messages)
    assert "Sarah Connor" not in json.dumps(protected.messages)

    assert arguments["note"] == note

    # The model calls a tool with placeholders; values go back into the JSON.
    model_arguments = '{"email": "<EMAIL_ADDRESS_1>", "raw": <PERSON_1>}'
    restored = json.loads(protected.restore_arguments(model_arguments))
    assert restored == {
        "email": "sarah.connor@example.com",
        "raw": "Sarah Connor",  # outside a string: inserted as a JSON string
    }


def test_restore_arguments_escapes_backslash_and_quote():
    value = 'C:\\Users\\"Sarah"'
    conversation = ProtectedConversation(
        messages=[], conversation_id="d", scope="s", values={"PERSON_1": value}
    )
    out = conversation.restore_arguments('{"path": "<PERSON_1>\\\\x"}')
    assert json.loads(out) == {"path": value + "\\x"}
