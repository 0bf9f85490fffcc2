"""What counts as the conversation's own text for the leak check."""

from __future__ import annotations

from guardrail.proxy.own_data import OwnText

MESSAGES = [
    {"role": "system", "content": "Customer on file: Jane Roe."},
    {"role": "user", "content": [{"type": "text", "text": "What's the planning for Friday?"}]},
    {"role": "assistant", "content": None, "tool_calls": []},
    {"role": "tool", "tool_call_id": "c1", "content": "Sunny, 21C. Courier: Ann-Marie O'Neil."},
    {"role": "user", "content": "我叫王小明"},
]


def test_tool_results_and_customer_text_are_own() -> None:
    own = OwnText(MESSAGES)
    assert own.supplied("Sunny")
    assert own.supplied("sunny, 21c")
    assert own.supplied("Ann-Marie O'Neil")
    assert own.supplied("ann marie")
    assert own.supplied("王小明")


def test_whole_words_only_and_not_the_system_prompt() -> None:
    own = OwnText(MESSAGES)
    assert not own.supplied("Ann Planning")
    assert own.supplied("Ann")  # a whole word of the tool result
    assert not own.supplied("plan")  # part of 'planning'
    assert not own.supplied("Jane Roe")  # the app's system prompt is not the customer's text
    assert not own.supplied("")
    assert not own.supplied("...")
