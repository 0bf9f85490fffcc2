"""The shipped Grafana dashboard only queries metrics the proxy defines."""

from __future__ import annotations

import json
import re
from pathlib import Path

from guardrail.observability.metrics import Metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "guardrail.json"
_METRIC = re.compile(r"\bguardrail_[a-z_]+")
_SERIES_SUFFIXES = ("_bucket", "_count", "_sum")


def _queried_metrics() -> set[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    names = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            for name in _METRIC.findall(target["expr"]):
                for suffix in _SERIES_SUFFIXES:
                    name = name.removesuffix(suffix)
                names.add(name)
    return names


def test_dashboard_queries_only_defined_metrics() -> None:
    defined = set(Metrics().names())
    queried = _queried_metrics()
    assert queried and queried <= defined


def test_dashboard_covers_the_operations_views() -> None:
    queried = _queried_metrics()
    for needed in ("guardrail_requests_total", "guardrail_verdicts_total", "guardrail_added_seconds",
                   "guardrail_review_queue_depth", "guardrail_review_oldest_seconds",
                   "guardrail_review_decision_seconds", "guardrail_check_errors_total"):
        assert needed in queried
