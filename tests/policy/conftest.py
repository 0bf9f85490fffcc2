"""Helpers to write small policy directories for a test."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrail.policy import PolicySet, PolicyStore

REPO_POLICIES = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """write("shared/tone.yaml", yaml_text) -> the policy directory."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return tmp_path

    return _write


@pytest.fixture
def policy_of(write: Callable[[str, str], Path]) -> Callable[[str], PolicySet]:
    """policy_of(rules_yaml) -> the default set of a one-file policy directory."""

    def _policy(text: str) -> PolicySet:
        store = PolicyStore(write("policy.yaml", text))
        store.load()
        return store.get(None)

    return _policy
