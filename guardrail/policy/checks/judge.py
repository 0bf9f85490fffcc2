"""An optional LLM judge: a rubric sent through litellm to a configured
model, which answers pass or fail. Off by default. It is the one async
check: the proxy awaits `PolicySet.check_answer_async`.

The judge model sees the answer as the customer would, so point it at a
model the brand trusts with that data. Its free-text reason is never put in
a finding: it may quote the answer.

`model` names an entry of guardrail.yaml's `model_list`: the operator's
config says where a judge may send answers and with which key. A policy file
cannot name a URL or a key variable, so a policy edit cannot send answers,
or the operator's secrets, anywhere else.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import Field, model_validator

from guardrail.config import resolve_env_references

from ...types import Action, CheckContext, Finding, Severity
from ..rules import BuildEnv, RuleCheck, RuleConfig, SeverityName, register

_INSTRUCTIONS = (
    "You review a customer-service answer against the rubric below. Reply with JSON only: "
    '{"pass": true} if the answer follows the rubric, {"pass": false} if it does not.\n\n'
    "Rubric:\n"
)
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class JudgeConfig(RuleConfig):
    type: Literal["llm_judge"]
    enabled: bool = False
    severity: SeverityName = Severity.MEDIUM
    # A `model_name` of guardrail.yaml's model_list.
    model: str = Field(min_length=1)
    rubric: str = Field(min_length=1)
    timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _no_endpoint(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in ("api_base", "api_key_env", "api_key"):
                if name in data:
                    raise ValueError(
                        f"'{name}' is not accepted in a policy file: the judge's model is an "
                        "entry of guardrail.yaml's model_list, named in 'model'"
                    )
        return data


@register("llm_judge", JudgeConfig)
class LlmJudge(RuleCheck):
    kind = "llm_judge"
    is_async = True
    default_action = Action.HOLD

    def __init__(self, config: JudgeConfig, env: BuildEnv) -> None:
        super().__init__(config, env)

    def check(self, text: str, context: CheckContext) -> list[Finding]:
        raise RuntimeError("the LLM judge is async: evaluate with check_answer_async")

    async def acheck(self, text: str, context: CheckContext) -> list[Finding]:
        import litellm  # heavy; only sets with an enabled judge pay for it

        params = self.env.models.get(self.config.model)
        if params is None:
            # Raised, so the set records a failed check: held, never passed.
            raise LookupError("the judge's model is not in the model_list")
        kwargs: dict[str, Any] = dict(resolve_env_references(dict(params)))
        kwargs["timeout"] = self.config.timeout_seconds
        kwargs.setdefault("num_retries", 0)
        response = await litellm.acompletion(
            messages=[
                {"role": "system", "content": _INSTRUCTIONS + self.config.rubric},
                {"role": "user", "content": text},
            ],
            temperature=0,
            **kwargs,
        )
        if _passes(response.choices[0].message.content or ""):
            return []
        return [self.finding("The judge model found the answer breaks the rubric")]


def _passes(reply: str) -> bool:
    """Parse the judge's reply; anything unreadable raises, which the set
    records as a failed check (held, never passed)."""
    m = _JSON_OBJECT.search(reply)
    if m is None:
        raise ValueError("judge reply holds no JSON object")
    verdict = json.loads(m.group()).get("pass")
    if not isinstance(verdict, bool):
        raise ValueError("judge reply has no boolean 'pass'")
    return verdict
