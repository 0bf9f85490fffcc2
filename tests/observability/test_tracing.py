"""OpenTelemetry spans per stage of a request, with the SDK's in-memory
exporter; off unless configured; attributes without personal data."""

from __future__ import annotations

import json
import time
from pathlib import Path

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.observability.scrape import SEEDED, assert_no_personal_data
from tests.support.harness import MODEL, SHIPPED_POLICIES, running_proxy


def test_spans_per_stage_without_personal_data(redis_url: str) -> None:
    exporter = InMemorySpanExporter()
    config = {"observability": {"tracing": {"enabled": True, "service_name": "guardrail-test"}}}
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config=config,
                       app_options={"span_exporter": exporter}) as harness:
        raw = harness.client().chat.completions.with_raw_response.create(
            model=MODEL, messages=[{"role": "user", "content": SEEDED}]
        )
        request_id = raw.headers["x-guardrail-request-id"]
        # The root span ends just after the last byte is sent: wait for it.
        for _ in range(100):
            spans = exporter.get_finished_spans()
            roots = [s for s in spans if s.name == "guardrail.request"
                     and s.attributes.get("guardrail.request_id") == request_id]
            if roots:
                break
            time.sleep(0.05)
    assert len(roots) == 1
    root = roots[0]
    assert root.attributes["guardrail.app"] == "shop"
    assert root.attributes["guardrail.model"] == MODEL
    assert root.attributes["guardrail.verdict"] == "modify"
    assert root.attributes["http.response.status_code"] == 200
    assert "honesty.ai-disclosure" in root.attributes["guardrail.rules"]
    assert root.resource.attributes["service.name"] == "guardrail-test"
    children = {s.name for s in spans if s.parent is not None
                and s.parent.span_id == root.context.span_id}
    assert {"guardrail.deidentify", "guardrail.checks", "guardrail.upstream",
            "guardrail.restore"} <= children
    for span in spans:
        assert_no_personal_data(json.dumps(dict(span.attributes or {}), default=str) + span.name)


def test_tracing_is_off_by_default(redis_url: str, tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    with running_proxy(redis_url, policies_dir=tmp_path, app_options={"span_exporter": exporter}) as harness:
        harness.client().chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert exporter.get_finished_spans() == ()
