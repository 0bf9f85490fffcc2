"""Prometheus metrics: one `Metrics` object per app, built by the app factory.

Each `Metrics` has its own `CollectorRegistry` (no process-wide globals, so
tests can build many apps). Under several uvicorn workers prometheus_client
writes every value to memory-mapped files in `PROMETHEUS_MULTIPROC_DIR` (the
`serve` command sets it up) and `/metrics` reads them all back.

Labels are bounded and never carry personal data or text: app names and
model names come from configuration, rule ids from the policy files, entity
types from the recognizers. Any other value is folded into `other`.

Other parts of the product define their own metrics through the same small
API, get-or-create by name:

    decisions = metrics.counter("guardrail_review_decisions_total",
                                "Reviewer decisions.", ["outcome"])
    decisions.labels(outcome="approve").inc()
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

OTHER = "other"
NONE = "none"
# Seconds: the proxy's own stages are milliseconds, a provider call seconds.
ADDED_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
UPSTREAM_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
DECISION_BUCKETS = (10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)
STAGES = ("deidentify", "checks", "restore")
# A label value we accept from configuration or policy files: an id, never text.
_SAFE_LABEL = re.compile(r"^[A-Za-z0-9_.:\-/]{1,80}$")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The registry API plus the product's own metrics as attributes."""

    def __init__(self, *, model_names: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._metrics: dict[str, Any] = {}
        self._models = frozenset(model_names)

        self.requests = self.counter(
            "guardrail_requests_total", "Requests answered, by app, model and HTTP status.",
            ["app", "model", "status"],
        )
        self.verdicts = self.counter(
            "guardrail_verdicts_total",
            "Verdicts per rule that fired (rule=none when no rule did).",
            ["app", "action", "rule"],
        )
        self.pii_entities = self.counter(
            "guardrail_pii_entities_total",
            "Personal-data values de-identified in requests, by entity type.",
            ["app", "entity"],
        )
        self.upstream_seconds = self.histogram(
            "guardrail_upstream_seconds", "Time waiting for the provider.", buckets=UPSTREAM_BUCKETS
        )
        self.added_seconds = self.histogram(
            "guardrail_added_seconds", "Time the proxy itself adds, per stage.", ["stage"],
            buckets=ADDED_BUCKETS,
        )
        self.review_queue_depth = self.gauge(
            "guardrail_review_queue_depth", "Open items in the review queue, by kind.", ["kind"],
            multiprocess_mode="mostrecent",
        )
        self.review_oldest_seconds = self.gauge(
            "guardrail_review_oldest_seconds", "Age of the oldest open review item (0 when empty).",
            multiprocess_mode="mostrecent",
        )
        # Mirrors of counts kept in Redis (shared by every replica), so gauges.
        self.review_labels = self.gauge(
            "guardrail_review_labels",
            "Reviewer decisions as labels on the rules that held the item, all time "
            "(call: approved, edited, rejected, expired; enforcement: enforced, shadow, or the item kind).",
            ["app", "rule", "call", "enforcement"], multiprocess_mode="mostrecent",
        )
        self.review_due_soon = self.gauge(
            "guardrail_review_due_soon", "Open review items close to their deadline.",
            multiprocess_mode="mostrecent",
        )
        self.review_decision_seconds = self.histogram(
            "guardrail_review_decision_seconds", "Time from hold to a reviewer's decision.",
            ["outcome"], buckets=DECISION_BUCKETS,
        )
        self.check_errors = self.counter(
            "guardrail_check_errors_total",
            "Checks that failed (raised); the answer is held, never passed.", ["rule"],
        )
        self.webhook_failures = self.counter(
            "guardrail_webhook_failures_total", "Webhook deliveries that failed (each attempt)."
        )
        self.rate_limited = self.counter(
            "guardrail_rate_limited_total", "Requests refused by a rate limit.", ["app", "limit"],
        )
        self.signin_limited = self.counter(
            "guardrail_signin_limited_total", "Reviewer sign-in attempts refused by the limit.",
            ["surface"],
        )

    # -- the registry API --------------------------------------------------

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        return self._get_or_create(Counter, name, documentation, labels)

    def histogram(
        self, name: str, documentation: str, labels: Sequence[str] = (),
        *, buckets: Sequence[float] = Histogram.DEFAULT_BUCKETS,
    ) -> Histogram:
        return self._get_or_create(Histogram, name, documentation, labels, buckets=tuple(buckets))

    def gauge(
        self, name: str, documentation: str, labels: Sequence[str] = (),
        *, multiprocess_mode: str = "mostrecent",
    ) -> Gauge:
        return self._get_or_create(
            Gauge, name, documentation, labels, multiprocess_mode=multiprocess_mode
        )

    def _get_or_create(
        self, kind: type, name: str, documentation: str, labels: Sequence[str], **options: Any
    ) -> Any:
        existing = self._metrics.get(name)
        if existing is not None:
            if not isinstance(existing, kind) or tuple(existing._labelnames) != tuple(labels):
                raise ValueError(f"metric {name} already defined with another type or labels")
            return existing
        metric = kind(name, documentation, list(labels), registry=self.registry, **options)
        self._metrics[name] = metric
        return metric

    def names(self) -> list[str]:
        """Every metric defined here, as scraped (counters with `_total`)."""
        return sorted(
            f"{name}_total" if isinstance(metric, Counter) and not name.endswith("_total") else name
            for name, metric in self._metrics.items()
        )

    # -- label hygiene -----------------------------------------------------

    def model_label(self, model: str | None) -> str:
        """Only configured model names: an app may send any string as `model`."""
        if not model:
            return NONE
        return model if model in self._models else OTHER

    @staticmethod
    def id_label(value: str | None) -> str:
        """An id from configuration or policy files; anything else is `other`."""
        if not value:
            return NONE
        return value if _SAFE_LABEL.match(value) else OTHER

    # -- exposition --------------------------------------------------------

    def render(self) -> tuple[bytes, str]:
        """The text exposition: every worker's values under multiprocess mode."""
        directory = multiprocess_dir()
        if directory is None:
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=directory)
        return generate_latest(merged), CONTENT_TYPE_LATEST
