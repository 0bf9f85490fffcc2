"""OpenTelemetry traces, off by default.

When on, every request gets a `guardrail.request` span and each stage a
child span (`guardrail.deidentify`, `guardrail.checks`, `guardrail.upstream`,
`guardrail.restore`). Attributes are ids, kinds and counts only.

The provider is the app's own (not the global one), so two apps in one
process, or a test's in-memory exporter, never mix.
"""

from __future__ import annotations

from typing import Any

from guardrail.config import ConfigError, TracingSettings, resolve_env_references


class Tracing:
    """Owns the tracer provider; `tracer` is None when tracing is off."""

    def __init__(self, settings: TracingSettings, *, exporter: Any = None) -> None:
        self.tracer: Any = None
        self._provider: Any = None
        if not settings.enabled:
            return
        # Imported only when on: the SDK is an optional extra.
        try:
            import opentelemetry.sdk.trace  # noqa: F401
        except ImportError:
            raise ConfigError(
                "observability.tracing.enabled needs the OpenTelemetry SDK: "
                "pip install 'guardrail[tracing]'"
            ) from None
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        from opentelemetry.sdk.trace.sampling import ParentBasedTraceIdRatio

        provider = TracerProvider(
            resource=Resource.create({"service.name": settings.service_name}),
            sampler=ParentBasedTraceIdRatio(settings.sample_ratio),
        )
        if exporter is not None:
            # An exporter handed in (tests, embedding): export each span at once.
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            endpoint = resolve_env_references(settings.otlp_endpoint)
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        self._provider = provider
        self.tracer = provider.get_tracer("guardrail")

    def shutdown(self) -> None:
        if self._provider is not None:
            self._provider.shutdown()
