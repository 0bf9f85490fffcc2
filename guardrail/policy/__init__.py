"""Policies: YAML files validated on load, hot-reloaded, turned into checks.

The proxy uses `PolicyStore` (load, watch, get) and the `PolicySet` it hands
out (check_request, check_answer, texts, hold settings, streaming mode).
"""

from .errors import PolicyError, Problem
from .policy_set import PolicySet, Rule
from .schema import HoldSettings, RiskMap
from .store import PolicyStore

__all__ = ["HoldSettings", "PolicyError", "PolicySet", "PolicyStore", "Problem", "RiskMap", "Rule"]
