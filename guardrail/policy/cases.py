"""Example cases: the security team's unit tests for their policies.

Files under `<policies>/cases/` hold a list of cases: a request or an answer
(with what the customer said, whether it is the first answer, personal data
the customer did not give) and the expected verdict and rule ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..types import Action, CheckContext, Span, Verdict
from .errors import PolicyError, Problem
from .loader import CASES_DIR
from .store import PolicyStore
from .yaml_source import parse


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForeignPii(_Strict):
    entity: str
    # The value as it appears in the answer; the case finds its span.
    text: Annotated[str, Field(min_length=1)]


class Expectation(_Strict):
    action: Action
    # Enforced (non-shadow) rule ids that fired; compared as a set. Omit to skip.
    rules: list[str] | None = None
    # Enforced rule ids that must be among those that fired (others may fire
    # too): for semantic rules, where two close rules (rude, condescending)
    # can both be right.
    rules_include: list[str] | None = None
    shadow_rules: list[str] | None = None
    text_contains: str | None = None
    min_suggestions: int = 0


class Case(_Strict):
    id: str
    set: str | None = None
    request: str | None = None
    answer: str | None = None
    customer: str = ""
    first_answer: bool = False
    language: str = "en"
    foreign_pii: list[ForeignPii] = Field(default_factory=list)
    expect: Expectation

    @model_validator(mode="after")
    def _one_input(self) -> Case:
        if (self.request is None) == (self.answer is None):
            raise ValueError("a case has exactly one of 'request' or 'answer'")
        return self


class CaseFile(_Strict):
    cases: list[Case]


@dataclass(frozen=True)
class CaseResult:
    case: Case
    file: str
    verdict: Verdict
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def load_cases(directory: Path) -> list[tuple[str, Case]]:
    problems: list[Problem] = []
    cases: list[tuple[str, Case]] = []
    root = directory / CASES_DIR
    paths = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml")) if root.is_dir() else []
    for path in paths:
        name = path.relative_to(directory).as_posix()
        doc, parse_problems = parse(name, path.read_bytes())
        problems += parse_problems
        if doc is None:
            continue
        try:
            cases += [(name, c) for c in CaseFile.model_validate(doc.data or {}).cases]
        except ValidationError as exc:
            problems += [doc.problem(e["loc"], e["msg"]) for e in exc.errors(include_url=False)]
    if problems:
        raise PolicyError(problems)
    return cases


def run_case(store: PolicyStore, file: str, case: Case) -> CaseResult:
    policy = store.get(case.set)
    if case.request is not None:
        context = CheckContext(language=case.language)
        verdict = policy.check_request([{"role": "user", "content": case.request}], context)
        checked = case.request
    else:
        checked = case.answer or ""
        context = CheckContext(
            language=case.language,
            customer_text=case.customer,
            first_answer=case.first_answer,
            foreign_pii=_spans(checked, case.foreign_pii),
        )
        verdict = policy.check_answer(checked, context)
    return CaseResult(case, file, verdict, tuple(_compare(case.expect, verdict)))


def _spans(text: str, items: list[ForeignPii]) -> tuple[tuple[str, Span], ...]:
    out = []
    for item in items:
        start = text.find(item.text)
        if start < 0:
            raise PolicyError(f"foreign_pii value for {item.entity} not found in the answer")
        out.append((item.entity, Span(start, start + len(item.text))))
    return tuple(out)


def _compare(expect: Expectation, verdict: Verdict) -> list[str]:
    failures = []
    if verdict.action is not expect.action:
        failures.append(f"action {verdict.action} (expected {expect.action})")
    if expect.rules is not None and set(verdict.rule_ids) != set(expect.rules):
        failures.append(f"rules {sorted(set(verdict.rule_ids))} (expected {sorted(expect.rules)})")
    if expect.rules_include is not None:
        missing = set(expect.rules_include) - set(verdict.rule_ids)
        if missing:
            failures.append(f"rules {sorted(set(verdict.rule_ids))} (expected to include {sorted(missing)})")
    shadow = {f.rule_id for f in verdict.findings if f.shadow}
    if expect.shadow_rules is not None and shadow != set(expect.shadow_rules):
        failures.append(f"shadow rules {sorted(shadow)} (expected {sorted(expect.shadow_rules)})")
    if expect.text_contains is not None and expect.text_contains not in (verdict.text or ""):
        failures.append(f"text lacks {expect.text_contains!r}")
    if len(verdict.suggestions) < expect.min_suggestions:
        failures.append(
            f"{len(verdict.suggestions)} suggestions (expected at least {expect.min_suggestions})"
        )
    return failures


def run_cases(store: PolicyStore, directory: Path) -> list[CaseResult]:
    return [run_case(store, file, case) for file, case in load_cases(directory)]


def uncovered_rules(store: PolicyStore, results: list[CaseResult]) -> list[str]:
    """'set:rule' of enabled rules that no case saw fire (enforced or shadow)."""
    fired = {(r.verdict.policy_version, f.rule_id) for r in results for f in r.verdict.findings}
    missing = []
    for name in store.set_names:
        policy = store.get(name)
        missing += [f"{name}:{rule.id}" for rule in policy.rules if (policy.version, rule.id) not in fired]
    return missing
