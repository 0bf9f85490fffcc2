"""The example customer conversations the demo sends through the proxy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    title: str
    shows: str
    message: str


EXAMPLES = (
    Example(
        title="Personal data",
        shows="the provider sees placeholders; the app gets the real values back",
        message=(
            "Hi, I'm Sarah Johnson. Please change my email to sarah.johnson@example.com "
            "and my phone to +1 415 555 0199."
        ),
    ),
    Example(
        title="Tone",
        shows="a rude answer is held for a reviewer instead of reaching the customer",
        message="This is the third time I'm asking, your app is useless and keeps crashing!",
    ),
    Example(
        title="Governed topic",
        shows="a refund promise that matches no approved message is held or swapped",
        message="Can I get a refund for order 88123? It arrived broken.",
    ),
    Example(
        title="Human handoff",
        shows="asking for a person skips the model and queues a handoff",
        message="I want to talk to a real person, please.",
    ),
    Example(
        title="Chinese",
        shows="Chinese personal data is de-identified too, and the disclosure is in Chinese",
        message="你好，我叫王小明，手机号13812345678，请帮我查一下订单。",
    ),
)
