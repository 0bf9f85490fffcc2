"""Operations: Prometheus metrics, per-request log lines, OpenTelemetry traces.

    metrics = Metrics(model_names=[...])          # built once by the app factory
    with stage("checks"): ...                     # a pipeline stage: timed, traced
    note_decision(verdict)                        # the request's verdict and rules

Everything recorded is ids, kinds, counts and times, never text.
"""

from guardrail.observability.metrics import Metrics
from guardrail.observability.record import (
    RequestRecord,
    current_record,
    note_decision,
    note_entities,
    note_model,
    note_usage,
    stage,
)

__all__ = [
    "Metrics",
    "RequestRecord",
    "current_record",
    "note_decision",
    "note_entities",
    "note_model",
    "note_usage",
    "stage",
]
