"""Policy checks under a deadline, off the event loop.

A check that runs long (a slow rule, an LLM judge that does not answer)
must neither stall the other requests of the process nor let the text
through: past the deadline the text is held for a person, and the breach is
recorded as a failed check (`check_error`), never as a pass.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from guardrail.types import Action, CheckContext, Finding, Severity, Verdict

logger = logging.getLogger(__name__)

DEADLINE_RULE = "check-deadline"


def deadline_breached(policy: Any, deadline: float, *, text: str | None = None) -> Verdict:
    logger.warning("policy checks passed their deadline of %.1f s; held", deadline)
    finding = Finding(
        rule_id=DEADLINE_RULE,
        kind="check_error",
        severity=Severity.HIGH,
        reason=f"The checks did not finish within {deadline:g} s; held to be safe",
    )
    return Verdict(Action.HOLD, (finding,), policy.version, text)


async def check_request(
    policy: Any, messages: list[dict[str, Any]], context: CheckContext, deadline: float
) -> Verdict:
    work = asyncio.to_thread(policy.check_request, messages, context)
    try:
        verdict: Verdict = await asyncio.wait_for(work, deadline)
    except TimeoutError:
        # A held request goes to a person, and the customer is told so.
        return deadline_breached(policy, deadline, text=policy.text("handoff", context.language))
    return verdict


async def check_answer(policy: Any, text: str, context: CheckContext, deadline: float) -> Verdict:
    try:
        verdict: Verdict = await asyncio.wait_for(policy.check_answer_async(text, context), deadline)
    except TimeoutError:
        return deadline_breached(policy, deadline)
    return verdict
