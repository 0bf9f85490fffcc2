"""No policy files: a pure gateway that allows everything and masks nothing."""

from __future__ import annotations

import pytest

from guardrail.policy import PolicyError, PolicyStore
from guardrail.types import Action, CheckContext


@pytest.mark.parametrize("use_none", [True, False])
def test_empty_directory_means_no_checks(tmp_path, use_none):
    (tmp_path / "cases").mkdir()  # cases alone are not policies
    store = PolicyStore(None if use_none else tmp_path)
    store.load()
    policy = store.get(None)
    assert store.loaded and store.errors == []
    assert policy.rules == () and not policy.pii.entities
    assert policy.is_empty
    ctx = CheckContext(first_answer=True)
    verdict = policy.check_answer("We GUARANTEE it, you idiot!!!", ctx)
    assert verdict.action is Action.ALLOW and verdict.policy_version == policy.version
    assert policy.check_request([{"role": "user", "content": "talk to a human"}], ctx).action is Action.ALLOW
    assert policy.streaming == "sentence"
    assert policy.text("fallback", "en")  # built-in texts are always there


def test_unknown_set_is_an_error(tmp_path):
    store = PolicyStore(tmp_path)
    store.load()
    with pytest.raises(PolicyError, match="unknown policy set 'vip'"):
        store.get("vip")


def test_get_before_load_is_an_error(tmp_path):
    with pytest.raises(PolicyError):
        PolicyStore(tmp_path).get(None)
