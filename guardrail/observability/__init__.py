"""Operations: Prometheus metrics, per-request log lines, OpenTelemetry traces.

    metrics.py      Metrics(model_names=[...]): built once by the app factory;
                    metrics.counter/histogram/gauge(name, doc, labels) for more
    record.py       with stage("checks"): ...; note_decision(verdict); ...
    request_log.py  the per-request line and the text/JSON log formats
    middleware.py   one record per HTTP request -> log line, metrics, root span
    endpoint.py     GET /metrics (own port, bearer token), review-queue gauges
    tracing.py      OpenTelemetry, off by default

Everything recorded is ids, kinds, counts and times, never text. Submodules
are imported directly (this package imports nothing, so a light command that
needs one part does not load prometheus_client or the OpenTelemetry SDK).
"""
