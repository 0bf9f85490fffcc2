"""/metrics after real requests through the proxy: counts per verdict and rule,
histogram buckets, queue gauges, check errors, never a personal value."""

from __future__ import annotations

import socket
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from guardrail.standin import Reply, StandInProvider
from guardrail.standin.provider import echo_responder
from tests.observability.scrape import SEEDED, assert_no_personal_data_in_metrics, scrape
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

RUDE = "This is your own fault for entering the wrong address."


@pytest.fixture(scope="module")
def guarded(redis_url: str) -> Iterator[ProxyHarness]:
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES) as harness:
        yield harness


@pytest.fixture(autouse=True)
def _echoing_provider(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "guarded" in request.fixturenames:
        request.getfixturevalue("guarded").provider.responder = echo_responder


def test_requests_verdicts_rules_and_stage_histograms_move(guarded: ProxyHarness) -> None:
    client = guarded.client()
    before = scrape(guarded)

    # allow + modify (the first answer gets the AI disclosure), with personal data in it
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}]
    )
    assert raw.headers["x-guardrail-verdict"] == "modify"
    # hold: a rude answer, parked for review at once
    guarded.provider.responder = lambda body: Reply(content=RUDE)
    held = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}],
        extra_headers={"X-Guardrail-Hold-Mode": "async"},
    )
    assert held.headers["x-guardrail-verdict"] == "hold"
    # handoff: the model is not called
    handoff = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "I want to talk to a real person"}]
    )
    assert handoff.headers["x-guardrail-verdict"] == "handoff"
    # an unknown model named after the customer: the label must not carry it
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="Sarah Johnson", messages=[{"role": "user", "content": "hi"}])

    after = scrape(guarded)
    assert_no_personal_data_in_metrics(after.text)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved("guardrail_requests_total", app="shop", model=MODEL, status="200") == 3
    assert moved("guardrail_requests_total", app="shop", model="other", status="404") == 1
    assert after.label_values("guardrail_requests_total", "model") <= {MODEL, "other", "none"}
    assert moved("guardrail_verdicts_total", app="shop", action="modify",
                 rule="honesty.ai-disclosure") == 1
    assert moved("guardrail_verdicts_total", app="shop", action="hold", rule="semantic.customer-blame") == 1
    assert moved("guardrail_verdicts_total", app="shop", action="handoff", rule="handoff.request") == 1
    for entity in ("EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER", "CREDIT_CARD"):
        assert moved("guardrail_pii_entities_total", app="shop", entity=entity) == 2, entity
    # histograms: one observation per stage per request that ran it
    assert moved("guardrail_upstream_seconds_count") == 2
    assert moved("guardrail_upstream_seconds_bucket", le="+Inf") == 2
    assert moved("guardrail_added_seconds_count", stage="deidentify") == 3
    assert moved("guardrail_added_seconds_count", stage="checks") == 3
    assert moved("guardrail_added_seconds_count", stage="restore") == 2
    assert moved("guardrail_added_seconds_bucket", stage="deidentify", le="5.0") == 3
    # the held answer is in the queue (gauges are read at scrape time)
    assert after.value("guardrail_review_queue_depth", kind="answer") >= 1
    assert after.value("guardrail_review_queue_depth", kind="handoff") >= 1
    assert after.value("guardrail_review_oldest_seconds") > 0


def test_hold_to_decision_time_is_observed(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content=RUDE)
    held = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "where is my parcel"}],
        extra_headers={"X-Guardrail-Hold-Mode": "async"},
    )
    hold_id = held.headers["x-guardrail-hold-id"]
    before = scrape(guarded)
    token = guarded.reviewer()
    decided = httpx.post(
        f"{guarded.proxy.url}/review/api/holds/{hold_id}/decision",
        json={"decision": "reject"}, headers={"Authorization": f"Bearer {token}"}, timeout=10,
    )
    assert decided.status_code == 200
    after = scrape(guarded)
    name = "guardrail_review_decision_seconds_count"
    assert after.value(name, outcome="reject") - before.value(name, outcome="reject") == 1
    bucket = "guardrail_review_decision_seconds_bucket"
    assert after.value(bucket, outcome="reject", le="+Inf") - before.value(bucket, outcome="reject",
                                                                          le="+Inf") == 1
    # The rejection is a label on each rule that held it: what rule precision is made of.
    labels = {"app": "shop", "call": "rejected", "enforcement": "enforced"}
    rules = after.label_values("guardrail_review_labels", "rule")
    assert rules and "none" not in rules
    name = "guardrail_review_labels"
    assert after.value(name, **labels) - before.value(name, **labels) >= 1


@pytest.fixture(scope="module")
def judged(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyHarness]:
    """A policy whose only rule is an LLM judge that cannot answer in its format:
    every check fails."""
    # The judge is a model_list entry (policy files never name a URL or key);
    # the stand-in answers the app and the judge alike, never in the judge's format.
    judge = StandInProvider(lambda body: Reply(content="no verdict here"))
    policies: Path = tmp_path_factory.mktemp("judged")
    (policies / "policy.yaml").write_text(textwrap.dedent("""\
        rules:
          - id: quality.judge
            type: llm_judge
            enabled: true
            model: judge
            rubric: Be kind.
        """), encoding="utf-8")
    with running_proxy(redis_url, policies_dir=policies, provider=judge, models=[MODEL, "judge"]) as harness:
        yield harness


def test_a_failed_check_is_counted_as_an_error_never_a_pass(judged: ProxyHarness) -> None:
    before = scrape(judged)
    raw = judged.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}],
        extra_headers={"X-Guardrail-Hold-Mode": "async"},
    )
    assert raw.headers["x-guardrail-verdict"] == "hold"
    after = scrape(judged)
    assert after.value("guardrail_check_errors_total", rule="quality.judge") - before.value(
        "guardrail_check_errors_total", rule="quality.judge") == 1
    assert after.value("guardrail_verdicts_total", action="allow", rule="quality.judge") == 0
    assert after.value("guardrail_verdicts_total", action="hold", rule="quality.judge") - before.value(
        "guardrail_verdicts_total", action="hold", rule="quality.judge") == 1
    assert_no_personal_data_in_metrics(after.text)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_metrics_behind_a_bearer_token_on_their_own_port(redis_url: str, tmp_path: Path) -> None:
    port = _free_port()
    config = {"observability": {"metrics": {"port": port, "bearer_token": "os.environ/TEST_METRICS_TOKEN"}}}
    mp = pytest.MonkeyPatch()
    mp.setenv("TEST_METRICS_TOKEN", "metrics-secret")
    try:
        with running_proxy(redis_url, policies_dir=tmp_path, config=config) as harness:
            harness.client().chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "hi"}]
            )
            # not on the proxy's port any more
            assert httpx.get(f"{harness.proxy.url}/metrics", timeout=5).status_code == 404
            url = f"http://127.0.0.1:{port}/metrics"
            assert httpx.get(url, timeout=5).status_code == 401
            wrong = httpx.get(url, headers={"Authorization": "Bearer nope"}, timeout=5)
            assert wrong.status_code == 401
            scraped = scrape(harness, token="metrics-secret", url=url)
            assert scraped.value("guardrail_requests_total", app="shop", status="200") == 1
            assert scraped.value("guardrail_verdicts_total", app="shop", action="allow", rule="none") == 1
    finally:
        mp.undo()


def test_webhook_failures_are_counted(redis_url: str) -> None:
    dead_port = _free_port()  # nothing listens there
    config = {"apps": [{"name": "shop", "webhook_url": f"http://127.0.0.1:{dead_port}/hook",
                        "webhook_secret": "whsec-test"}]}
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config=config) as harness:
        harness.provider.responder = lambda body: Reply(content=RUDE)
        held = harness.client().chat.completions.with_raw_response.create(
            model=MODEL, messages=[{"role": "user", "content": "where is my parcel"}],
            extra_headers={"X-Guardrail-Hold-Mode": "async"},
        )
        token = harness.reviewer()
        httpx.post(
            f"{harness.proxy.url}/review/api/holds/{held.headers['x-guardrail-hold-id']}/decision",
            json={"decision": "approve"}, headers={"Authorization": f"Bearer {token}"}, timeout=10,
        ).raise_for_status()
        deadline = time.monotonic() + 20  # the dispatcher runs every half second
        while scrape(harness).value("guardrail_webhook_failures_total") < 1:
            assert time.monotonic() < deadline, "no webhook failure counted"
            time.sleep(0.2)
