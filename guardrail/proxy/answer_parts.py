"""The texts of an answer besides its content: tool-call and function-call
arguments, a refusal, the model's reasoning. They reach the app as surely as
the content does, so they are restored like it and checked by the same
rules; only rules about the message's form (disclosure, length, approved
wording...) are left to the content.

What such a text cannot be is modified: a rule that would modify one holds
the answer instead. A held tool call is never released as a call; a
reviewer's decision releases text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from guardrail.types import Action, CheckContext, Finding, Verdict

# Finding kinds about the customer-facing message's form, not its meaning.
MESSAGE_FORM_KINDS = frozenset(
    {
        "disclosure_missing",
        "required_phrase_missing",
        "unapproved_message",
        "length",
        "reading_level",
        "shouting",
        "exclamation",
    }
)
# Reasoning fields providers return next to the content (litellm, DeepSeek,
# OpenRouter and others); litellm moves some (a refusal) into
# `provider_specific_fields`, whose every text is treated alike.
TEXT_FIELDS = ("refusal", "reasoning_content", "reasoning")
_PROVIDER_FIELDS = "provider_specific_fields"

CheckText = Callable[[str, CheckContext], Awaitable[Verdict]]


def restore_parts(message: dict[str, Any], protected: Any) -> None:
    """Put real values back into every text of `message` but its content."""
    for container, name in _text_holders(message):
        container[name] = protected.restore(container[name])
    for function in _functions(message):
        if isinstance(function.get("arguments"), str) and function["arguments"]:
            function["arguments"] = protected.restore_arguments(function["arguments"])


def part_texts(message: dict[str, Any]) -> list[str]:
    texts = [container[name] for container, name in _text_holders(message)]
    texts += [
        f["arguments"] for f in _functions(message) if isinstance(f.get("arguments"), str)
    ]
    return [text for text in texts if text.strip()]


async def check_parts(
    texts: list[str], policy: Any, context: CheckContext, check: CheckText
) -> Verdict:
    """One verdict for all the parts: their findings (spanless: spans would
    point into another text than the held answer) and the strictest action."""
    findings: list[Finding] = []
    for text in texts:
        verdict = await check(text, dataclasses.replace(context, answer_source=None))
        findings += [
            dataclasses.replace(f, span=None) for f in verdict.findings if f.kind not in MESSAGE_FORM_KINDS
        ]
    action = policy.action_for(findings) if findings else Action.ALLOW
    if action is Action.MODIFY:
        action = Action.HOLD  # arguments cannot be rewritten: a person decides
    text = policy.text("fallback", context.language) if action is Action.BLOCK else None
    return Verdict(action, tuple(findings), policy.version, text)


def combine(content: Verdict, parts: Verdict) -> Verdict:
    """The content's verdict made as strict as its parts' one."""
    findings = content.findings + parts.findings
    if parts.action.rank <= content.action.rank:
        return dataclasses.replace(content, findings=findings)
    if parts.action is Action.BLOCK:
        return Verdict(Action.BLOCK, findings, content.policy_version, parts.text)
    # A hold: release what the content's own rules made of it, if a person approves.
    text = content.text if content.action is Action.MODIFY else None
    return Verdict(parts.action, findings, content.policy_version, text, content.suggestions)


def drop_parts(message: dict[str, Any]) -> None:
    """Remove every part from a blocked answer's message."""
    for name in ("tool_calls", "function_call", _PROVIDER_FIELDS, *TEXT_FIELDS):
        message.pop(name, None)


def _text_holders(message: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    holders = [(message, name) for name in TEXT_FIELDS if isinstance(message.get(name), str)]
    extra = message.get(_PROVIDER_FIELDS)
    if isinstance(extra, dict):
        holders += [(extra, name) for name, value in extra.items() if isinstance(value, str)]
    return holders


def _functions(message: dict[str, Any]) -> list[dict[str, Any]]:
    functions = [
        call["function"]
        for call in message.get("tool_calls") or []
        if isinstance(call, dict) and isinstance(call.get("function"), dict)
    ]
    if isinstance(message.get("function_call"), dict):
        functions.append(message["function_call"])
    return functions
