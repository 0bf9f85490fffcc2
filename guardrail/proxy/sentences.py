"""Release a streamed answer sentence by sentence, each checked before it goes.

Only for policy sets whose enforced rules can allow or block, never hold or
modify (`PolicySet.streaming == "sentence"`): then nothing later in the answer
can change what an earlier sentence should have been, so the customer sees
text as soon as a sentence is complete instead of after the whole answer.

If a sentence fails, the stream ends there with the policy's fallback text.
The headers went out with the first byte (`X-Guardrail-Verdict: streaming`),
so the final verdict travels in the `guardrail` field of the stream's last
chunk that has a choice: chunks that finish a choice are held back until the
verdict is known (text never is). A usage chunk, when the app asked for one,
still comes last.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from guardrail.config import DEFAULT_CHECK_DEADLINE_SECONDS
from guardrail.language import detect_language
from guardrail.observability.record import stage
from guardrail.proxy.answer_parts import check_parts, part_texts
from guardrail.proxy.answers import check_answer_text
from guardrail.proxy.own_data import OwnText
from guardrail.proxy.streaming import ChoiceRestorer
from guardrail.types import Action, CheckContext, Finding, Verdict

# A sentence ends at ., ! or ? followed by whitespace, at a CJK full stop, or
# at a line break. Abbreviations may split early; that only checks sooner.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？!?])|\n+")

OnVerdict = Callable[[Verdict], Awaitable[None]]


def split_complete(text: str) -> tuple[str, str]:
    """(complete sentences, the unfinished rest)."""
    cut = max((match.end() for match in _SENTENCE_END.finditer(text)), default=0)
    return text[:cut], text[cut:]


@dataclass
class _Choice:
    restorer: ChoiceRestorer
    released: str = ""
    pending: str = ""
    blocked: bool = False
    findings: list[Finding] = field(default_factory=list)


async def sentence_stream(
    chunks: AsyncIterator[dict[str, Any]],
    *,
    protected: Any,
    policy: Any,
    context: CheckContext,
    pii: Any,
    on_verdict: OnVerdict,
    json_content: bool = False,
    own: OwnText | None = None,
    deadline: float = DEFAULT_CHECK_DEADLINE_SECONDS,
) -> AsyncIterator[dict[str, Any]]:
    choices: dict[int, _Choice] = {}
    finishing: list[dict[str, Any]] = []  # chunks that end a choice, held for the verdict
    usage: list[dict[str, Any]] = []
    worst = Verdict(Action.ALLOW, policy_version=policy.version)
    last: dict[str, Any] = {}

    async def release(state: _Choice, text: str) -> str:
        """Check the answer so far; return what may be sent now."""
        nonlocal worst
        if not text:
            return ""
        candidate = state.released + text
        with stage("checks"):
            verdict = await check_answer_text(candidate, protected, policy, context, pii, deadline, own)
        state.findings = list(verdict.findings)
        if verdict.action.rank > worst.action.rank:
            worst = verdict
        # Text already sent cannot be held: a failed check ends the stream.
        if verdict.action.rank >= Action.HOLD.rank:
            state.blocked = True
            fallback = verdict.text or policy.text("fallback", detect_language(candidate))
            return ("\n\n" if state.released else "") + fallback
        state.released = candidate
        return text

    async def release_calls(state: _Choice, calls: list[dict[str, Any]]) -> bool:
        """Check the finished tool calls' arguments; False when they may not go."""
        nonlocal worst
        texts = part_texts({"tool_calls": calls})
        if not texts:
            return True

        async def check(text: str, checked: CheckContext) -> Verdict:
            return await check_answer_text(text, protected, policy, checked, pii, deadline, own)

        verdict = await check_parts(texts, policy, context, check)
        state.findings += list(verdict.findings)
        if verdict.action.rank > worst.action.rank:
            worst = verdict
        if verdict.action.rank >= Action.HOLD.rank:
            state.blocked = True
            return False
        return True

    async for chunk in chunks:
        last = chunk
        if not chunk.get("choices"):
            if chunk.get("usage"):
                usage.append(chunk)
            continue
        out = []
        for choice in chunk.get("choices", []):
            index = choice.get("index", 0)
            state = choices.setdefault(
                index, _Choice(ChoiceRestorer(protected, json_content=json_content))
            )
            if state.blocked:
                continue
            delta = dict(choice.get("delta") or {})
            for call in delta.pop("tool_calls", None) or []:
                state.restorer.add_tool_call(call)
            state.pending += state.restorer.text.feed(delta.pop("content", None) or "")
            finish = choice.get("finish_reason")
            if finish:
                ready, state.pending = state.pending + state.restorer.text.flush(), ""
            else:
                ready, state.pending = split_complete(state.pending)
            text = await release(state, ready)
            if text:
                delta["content"] = text
            if state.blocked:
                out.append({**choice, "delta": delta, "finish_reason": "stop"})
                continue
            if finish and state.restorer.calls:
                calls = state.restorer.restored_calls()
                if await release_calls(state, calls):
                    delta["tool_calls"] = calls
                else:
                    fallback = policy.text("fallback", context.language)
                    delta["content"] = (delta.get("content") or "") + fallback
                    out.append({**choice, "delta": delta, "finish_reason": "stop"})
                    continue
            if delta or finish:
                out.append({**choice, "delta": delta})
        if out:
            if any(c.get("finish_reason") for c in out):
                finishing.append({**chunk, "choices": out})
            else:
                yield {**chunk, "choices": out}

    base = {k: v for k, v in last.items() if k not in ("choices", "usage")}
    for index, state in sorted(choices.items()):
        if state.blocked:
            continue
        tail = await release(state, state.pending + state.restorer.text.flush())
        if tail:
            yield {**base, "choices": [{"index": index, "delta": {"content": tail}}]}
    findings = tuple(f for state in choices.values() for f in state.findings)
    final = dataclasses.replace(worst, findings=findings)
    await on_verdict(final)
    if not finishing:  # a provider that never said a choice was finished
        finishing.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    for chunk in finishing[:-1]:
        yield chunk
    yield {
        **finishing[-1],
        "guardrail": {
            "verdict": final.action.value,
            "policy_version": final.policy_version,
            "rule_ids": final.rule_ids,
            "hold_id": None,
        },
    }
    for chunk in usage:
        yield chunk
