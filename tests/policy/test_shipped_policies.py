"""The policies we ship load, pass their own cases and cover every rule."""

from __future__ import annotations

import pytest

from guardrail.pii.policy import PiiPolicy
from guardrail.policy import PolicyStore
from guardrail.policy.cases import run_cases, uncovered_rules

from .conftest import REPO_POLICIES


@pytest.fixture(scope="module")
def store() -> PolicyStore:
    store = PolicyStore(REPO_POLICIES)
    store.load()
    return store


def test_cases_pass(store):
    results = run_cases(store, REPO_POLICIES)
    assert len(results) > 50
    failures = {r.case.id: r.failures for r in results if not r.passed}
    assert failures == {}


def test_every_rule_has_a_case(store):
    assert uncovered_rules(store, run_cases(store, REPO_POLICIES)) == []


def test_sets_and_streaming(store):
    assert store.set_names == ["default", "minimal"]
    assert store.get(None).streaming == "buffer"
    assert store.get("minimal").streaming == "sentence"
    assert "llm_judge" not in {r.config.type for r in store.get(None).rules}  # ships switched off


def test_pii_sections_are_validated_and_protect_customers(store):
    for name in store.set_names:
        pii = store.get(name).pii
        assert isinstance(pii, PiiPolicy)
        assert {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD"} <= set(pii.entities)
