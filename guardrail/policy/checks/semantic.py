"""Semantic rules: a plain-language description plus example answers that
break it and near misses that don't, scored by meaning.

Backends (a registry, `backend:` in the rule):
- `model` (default): the bundled sentence encoder and a classifier trained
  from the examples of every model-backed semantic rule of the set; offline,
  no provider call. Runs in a worker thread with a deadline.
- `judge`: an LLM from the proxy's model_list, by model name, asked for a
  structured verdict; the answer is de-identified first.
A timeout or error fails closed: the set records a failed check and holds
(or blocks, if the rule's action says so).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...types import CheckContext, Finding, Severity, Span
from ..rules import BuildEnv, RuleCheck, RuleConfig, SeverityName, register
from ..semantic import RuleExamples, SemanticResources
from ..semantic.judging import Judge

Example = Annotated[str, Field(min_length=1, max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SemanticExamples(_Strict):
    # Answers that break the rule, and near misses that look alike but are fine.
    breaks: list[Example] = Field(min_length=1)
    fine: list[Example] = Field(default_factory=list)


class JudgeSettings(_Strict):
    # A `model_name` of the config's model_list; never keys or URLs here.
    model: str = Field(min_length=1, pattern=r"^[^\s]+$")
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class SemanticConfig(RuleConfig):
    type: Literal["semantic"]
    severity: SeverityName = Severity.HIGH
    description: str = Field(min_length=1)
    examples: SemanticExamples
    # Score at or above which the rule fires; calibrated from the examples when omitted.
    threshold: float | None = Field(default=None, gt=0, lt=1)
    backend: Literal["model", "judge"] = "model"
    judge: JudgeSettings | None = None
    # Deadline of the bundled model on one answer.
    timeout_seconds: float = Field(default=2.0, gt=0, le=60)

    @model_validator(mode="after")
    def _judge_named(self) -> SemanticConfig:
        if self.backend == "judge" and self.judge is None:
            raise ValueError("backend 'judge' needs a 'judge:' section naming a model of the model_list")
        return self


@dataclass(frozen=True)
class Score:
    value: float
    threshold: float
    span: Span | None = None
    closest: tuple[tuple[str, float], ...] = ()
    # The bundled model says whether the rule fires (a near tie may be
    # settled by a fine example); None: the score against the threshold
    # decides (the judge's).
    fires: bool | None = None

    @property
    def breaks_rule(self) -> bool:
        return self.value >= self.threshold if self.fires is None else self.fires


class Backend(Protocol):
    supports_sync: bool

    def score(self, text: str) -> Score: ...

    async def ascore(self, text: str) -> Score: ...


def _resources(env: BuildEnv) -> SemanticResources:
    resources = env.semantic
    if resources is None:
        raise ValueError("semantic rules need the semantic model (the policy store provides it)")
    return resources  # type: ignore[no-any-return]


class ModelBackend:
    supports_sync = True

    def __init__(self, config: SemanticConfig, env: BuildEnv) -> None:
        group = [
            c
            for c in env.rules
            if isinstance(c, SemanticConfig) and c.backend == "model" and c.enabled
        ]
        if config not in group:
            group.append(config)
        examples = [RuleExamples(c.id, tuple(c.examples.breaks), tuple(c.examples.fine)) for c in group]
        self._classifier = _resources(env).model().classifier(examples)
        self._rule_id = config.id
        self.threshold = config.threshold or self._classifier.threshold(config.id)
        self.timeout_seconds = config.timeout_seconds

    def score(self, text: str) -> Score:
        found = self._classifier.score(text, self._rule_id, threshold=self.threshold)
        closest = tuple((e.text, e.similarity) for e in found.closest)
        return Score(found.score, self.threshold, found.span, closest, fires=found.fires)

    async def ascore(self, text: str) -> Score:
        return await asyncio.wait_for(asyncio.to_thread(self.score, text), self.timeout_seconds)


class JudgeBackend:
    supports_sync = False
    threshold = 0.5

    def __init__(self, config: SemanticConfig, env: BuildEnv) -> None:
        settings = config.judge
        if settings is None:  # pragma: no cover - the schema requires it
            raise ValueError("backend 'judge' needs a 'judge:' section")
        self._judge = Judge(
            _resources(env).judge,
            model_name=settings.model,
            timeout_seconds=settings.timeout_seconds,
            description=config.description,
            breaks=list(config.examples.breaks),
            fine=list(config.examples.fine),
        )
        self.threshold = config.threshold or 0.5

    def score(self, text: str) -> Score:
        raise RuntimeError("the judge backend is async: evaluate with check_answer_async")

    async def ascore(self, text: str) -> Score:
        verdict = await self._judge.verdict(text)
        return Score(verdict.score, self.threshold)


BACKENDS: dict[str, type[ModelBackend] | type[JudgeBackend]] = {
    "model": ModelBackend,
    "judge": JudgeBackend,
}


@register("semantic", SemanticConfig)
class SemanticRule(RuleCheck):
    kind = "semantic"
    is_async = True

    def __init__(self, config: SemanticConfig, env: BuildEnv) -> None:
        super().__init__(config, env)
        self.backend: Any = BACKENDS[config.backend](config, env)
        # The bundled model also runs in a plain (sync) evaluation; the judge cannot.
        self.supports_sync = self.backend.supports_sync

    @property
    def timeout_seconds(self) -> float:
        """The bundled model's deadline on one answer (the judge has its own)."""
        return self.config.timeout_seconds

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        scored = without_customer_words(text, context.customer_said or context.customer_text)
        return self._findings(self.backend.score(scored)) if _has_own_words(text, scored) else []

    async def acheck(self, text: str, context: CheckContext) -> list[Finding]:
        scored = without_customer_words(text, context.customer_said or context.customer_text)
        if not _has_own_words(text, scored):
            return []
        return self._findings(await self.backend.ascore(scored))

    def _findings(self, score: Score) -> list[Finding]:
        if not score.breaks_rule:
            return []
        reason = (
            f"{self.config.description} (meaning score {score.value:.2f}, "
            f"threshold {score.threshold:.2f}, {self.config.backend})"
        )
        finding = self.finding(reason, score.span, score=round(score.value, 3))
        return [_with_examples(finding, score.closest)]


_CHUNK = re.compile(r"[^\s,.;:!?，。；：！？、]+(?:[ ][^\s,.;:!?，。；：！？、]+)*")
_MIN_CHUNK = 6  # characters; three Han characters already say as much
_HAN = re.compile(r"[\u3400-\u9fff]")


def without_customer_words(text: str, customer_text: str) -> str:
    """The answer with what the customer wrote themselves blanked out (same
    length, so spans still point into the answer). Repeating the customer's
    own name, address or words back is neither rude nor someone else's data;
    the same principle as the leak rule, which only counts personal data the
    customer did not give."""
    customer = str(customer_text or "")
    if not customer:
        return text
    out = text
    for match in _CHUNK.finditer(customer):
        chunk = match.group()
        long_enough = len(chunk) >= _MIN_CHUNK or (len(chunk) >= 3 and _HAN.search(chunk))
        if long_enough and chunk in out:
            out = out.replace(chunk, " " * len(chunk))
    return out


_WORDLIKE = re.compile(r"\w")


def _has_own_words(text: str, scored: str) -> bool:
    """False when the answer is mostly the customer's message repeated back,
    with too little of its own left ("You said: ...") to judge by meaning."""
    own = len(_WORDLIKE.findall(scored))
    return own >= 20 or own >= 0.5 * len(_WORDLIKE.findall(text))


def _with_examples(finding: Finding, closest: tuple[tuple[str, float], ...]) -> Finding:
    return dataclasses.replace(finding, examples=closest)
