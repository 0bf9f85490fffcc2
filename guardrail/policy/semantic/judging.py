"""The LLM-judge backend of semantic rules: a model from the proxy's own
`model_list`, asked for a structured verdict on one rule.

The judge sees the rule's description and a few of its examples, and the
answer de-identified (placeholders instead of personal data). Verdicts are
cached per rule version and answer, so a re-check (streaming, retries) costs
no second call. A reply that cannot be read raises: the policy set records a
failed check and holds the answer (fails closed), as it does on a timeout.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

_MAX_EXAMPLES = 6
_CACHE_SIZE = 2048
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)

_INSTRUCTIONS = """\
You check one answer of a customer-service assistant against one rule of the brand's policy.
Decide whether the answer breaks the rule. Near misses (examples that do not break it) are fine.
Reply with JSON only: {"breaks": true or false, "confidence": a number from 0 to 1}.
"""


class JudgeClient(Protocol):
    """What the proxy provides: de-identification and a call by model name."""

    async def deidentify(self, text: str) -> str: ...

    async def complete(self, model_name: str, messages: list[dict[str, str]]) -> str: ...


@dataclass(frozen=True)
class JudgeVerdict:
    breaks: bool
    confidence: float

    @property
    def score(self) -> float:
        """Probability-like score that the answer breaks the rule."""
        return self.confidence if self.breaks else 1.0 - self.confidence


def prompt(description: str, breaks: list[str], fine: list[str]) -> str:
    lines = [_INSTRUCTIONS, f"Rule: {description}", "", "Answers that break it:"]
    lines += [f"- {json.dumps(e, ensure_ascii=False)}" for e in breaks[:_MAX_EXAMPLES]]
    if fine:
        lines += ["", "Answers that do not break it:"]
        lines += [f"- {json.dumps(e, ensure_ascii=False)}" for e in fine[:_MAX_EXAMPLES]]
    return "\n".join(lines)


def parse_verdict(reply: str) -> JudgeVerdict:
    match = _JSON_OBJECT.search(reply)
    if match is None:
        raise ValueError("judge reply holds no JSON object")
    data = json.loads(match.group())
    breaks = data.get("breaks")
    if not isinstance(breaks, bool):
        raise ValueError("judge reply has no boolean 'breaks'")
    confidence = data.get("confidence", 1.0)
    if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise ValueError("judge reply has no confidence between 0 and 1")
    return JudgeVerdict(breaks, float(confidence))


class Judge:
    """One semantic rule's judge: prompt, call with a deadline, cache."""

    def __init__(
        self,
        client: JudgeClient | None,
        *,
        model_name: str,
        timeout_seconds: float,
        description: str,
        breaks: list[str],
        fine: list[str],
    ) -> None:
        self._client = client
        self.model_name = model_name
        self.timeout_seconds = timeout_seconds
        self._system = prompt(description, breaks, fine)
        self._version = hashlib.sha256(f"{model_name}\0{self._system}".encode()).hexdigest()
        self._cache: OrderedDict[str, JudgeVerdict] = OrderedDict()

    async def verdict(self, text: str) -> JudgeVerdict:
        if self._client is None:
            raise RuntimeError("no judge client: semantic rules with backend 'judge' need the proxy")
        key = hashlib.sha256(f"{self._version}\0{text}".encode()).hexdigest()
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        found = await asyncio.wait_for(self._ask(text), timeout=self.timeout_seconds)
        self._cache[key] = found
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return found

    async def _ask(self, text: str) -> JudgeVerdict:
        if self._client is None:  # pragma: no cover - checked by verdict()
            raise RuntimeError("no judge client")
        answer = await self._client.deidentify(text)
        reply = await self._client.complete(
            self.model_name,
            [{"role": "system", "content": self._system}, {"role": "user", "content": answer}],
        )
        return parse_verdict(reply)


class UpstreamJudgeClient:
    """The proxy's judge client: de-identifies with the PII service and calls
    a model of the config's model_list through the proxy's own upstream."""

    def __init__(self, upstream: Any, pii: Any, pii_policy: Any) -> None:
        self._upstream = upstream
        self._pii = pii
        self._pii_policy = pii_policy

    async def deidentify(self, text: str) -> str:
        digest = hashlib.sha256(text.encode()).hexdigest()[:32]
        protected = await self._pii.protect(
            [{"role": "user", "content": text}],
            scope="semantic-judge",
            conversation_id=f"judge:{digest}",
            policy=self._pii_policy,
        )
        return str(protected.messages[0]["content"])

    async def complete(self, model_name: str, messages: list[dict[str, str]]) -> str:
        model = self._upstream.registry.get(model_name)
        data = await self._upstream.complete(model, {"temperature": 0}, messages)
        choices = data.get("choices") or [{}]
        return str((choices[0].get("message") or {}).get("content") or "")
