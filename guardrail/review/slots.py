"""Slots of approved messages (`{amount}`, `{order_id}`) a reviewer must fill.

A suggested approved message arrives with the slots the policy could fill
already filled; any `{name}` left is asked for before the message is sent,
and a text that still has one is refused: a customer never gets raw braces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# The slot syntax of approved messages (see policy/checks/approved.py).
SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
MAX_SLOT_VALUE = 200


def unfilled_slots(text: str) -> list[str]:
    """Slot names still in `text`, in order of first appearance."""
    return list(dict.fromkeys(SLOT.findall(text)))


def fill_slots(text: str, values: Mapping[str, str]) -> str:
    """`text` with every slot that has a non-blank value filled; others stay."""
    cleaned = {name: value.strip()[:MAX_SLOT_VALUE] for name, value in values.items()}

    def replace(match: re.Match[str]) -> str:
        value = cleaned.get(match.group(1))
        return value if value else match.group(0)

    return SLOT.sub(replace, text)
