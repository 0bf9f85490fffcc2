"""Reviewers teach the policy, end to end: a real proxy (shipped policies,
scripted stand-in provider) holds answers, reviewers decide them through
the CLI, and `review stats`, `export-cases`, `export-dataset` and
`policy test` show what the decisions say about the rules."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from guardrail.cli import main
from guardrail.standin import StandInProvider
from tests.review_page.support import Script
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

NAME, EMAIL = "Alice Example", "alice@example.com"
SEEDED = (NAME, EMAIL)
ASYNC = {"X-Guardrail-Hold-Mode": "async"}
EDITED = ("I've started a refund of $45.00 for order BS-123456. It will reach your original "
          "payment method within 5-7 business days after we receive the return.")


@pytest.fixture(scope="module")
def proxy(redis_url: str) -> Iterator[ProxyHarness]:
    script = Script()
    script.answers.update({
        "LOOP-A": "This is your own fault for entering the wrong address, {ph}.",
        "LOOP-B": "Sure {ph}, I'll send the money back to your card right away.",
        "LOOP-C": "I'm a real person, not a bot, so you can trust me, {ph}.",
    })
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES,
                       provider=StandInProvider(script, models=[MODEL])) as harness:
        yield harness


def ask(proxy: ProxyHarness, text: str) -> tuple[str, dict[str, str], str]:
    raw = proxy.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": text}], extra_headers=ASYNC)
    completion = raw.parse()
    return completion.id, dict(raw.headers), completion.choices[0].message.content or ""


def held(proxy: ProxyHarness, text: str) -> str:
    _, headers, _ = ask(proxy, text)
    assert headers.get("x-guardrail-verdict") == "hold", headers
    return headers["x-guardrail-hold-id"]


def test_decisions_become_rule_precision_cases_and_a_dataset(
    proxy: ProxyHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no guardrail.yaml around
    proxy.reviewer("alice")
    cli = CliRunner(env={"REDIS_URL": proxy.settings.redis_url or "",
                         "GUARDRAIL_REDIS_PREFIX": proxy.settings.redis_prefix,
                         "GUARDRAIL_REVIEWER": "alice"})

    def run(*args: str, code: int = 0) -> Result:
        result = cli.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    # Markers first: the scripted provider picks its answer by them.
    blame = held(proxy, f"LOOP-A Hi, I am {NAME} ({EMAIL}). Where is my parcel?")
    refund = held(proxy, f"LOOP-B I am {NAME}, I want my money back for order BS-123456, it was $45.00.")
    claim = held(proxy, f"LOOP-C Can I trust what you say? I am {NAME}, {EMAIL}")
    _, handoff_headers, _ = ask(proxy, f"I am {NAME}. I want to talk to a human please")
    handoff = handoff_headers["x-guardrail-hold-id"]
    response_id, allowed, _ = ask(proxy, f"I am {NAME}, just saying thanks")
    assert allowed["x-guardrail-verdict"] in ("allow", "modify")
    report = httpx.post(f"{proxy.base_url}/feedback", json={"response_id": response_id,
                        "category": "wrong"}, headers={"Authorization": f"Bearer {proxy.key()}"})
    report_id = report.json()["hold_id"]

    # A first answer gets the AI disclosure appended: that rule held nothing.
    shown = json.loads(run("review", "show", blame, "--json").output)
    assert shown["rule_ids"] == ["semantic.customer-blame"]
    assert "<PERSON_1>" in shown["answer"] and NAME not in shown["answer"]

    run("review", "approve", blame)
    run("review", "edit", refund, "--text", EDITED)
    run("review", "reject", claim)
    run("review", "reply", handoff, "--text", "Hi <PERSON_1>, Sam here from the team.")
    run("review", "close", report_id)
    assert "label: approved, expected allow; the rules were wrong" in run("review", "show", blame).output

    stats = json.loads(run("review", "stats", "--since", "1h", "--json").output)
    rows = {r["rule_id"]: r for r in stats["rules"]}
    assert {k: (r["holds"], r["approved"], r["edited"], r["rejected"], r["precision"])
            for k, r in rows.items()} == {
        "semantic.customer-blame": (1, 1, 0, 0, 0.0),
        "governed.refunds": (1, 0, 1, 0, 1.0),
        # The refund answer also reads as a promise (the semantic rule).
        "semantic.promises": (1, 0, 1, 0, 1.0),
        "semantic.human-claim": (1, 0, 0, 1, 1.0),
        "handoff.request": (1, 0, 1, 0, 1.0),
    }
    assert rows["semantic.customer-blame"]["hold_ids"]["approved"] == [blame]
    assert rows["governed.refunds"]["median_seconds_to_decision"] >= 0
    assert stats["reports"]["approved"] == 1 and stats["reports"]["hold_ids"]["holds"] == [report_id]
    table = run("review", "stats").output
    assert "semantic.customer-blame" in table and "0%" in table and "100%" in table
    assert json.loads(run("review", "stats", "--app", "nobody", "--json").output)["rules"] == []

    # Decisions as cases: the policy disagrees with its reviewers on exactly one answer.
    policies = tmp_path / "policies"
    shutil.copytree(SHIPPED_POLICIES, policies)
    cases = policies / "cases" / "reviewed.yaml"
    assert "wrote 5 case(s)" in run("review", "export-cases", "--since", "1h", "--out", str(cases)).output
    run("policy", "check", str(policies))
    tested = run("policy", "test", str(policies), code=1).output
    failed = {line.split()[1] for line in tested.splitlines() if line.startswith("FAIL ")}
    assert failed == {f"review-{blame}"}, tested
    assert f"FAIL review-{blame} (cases/reviewed.yaml): action hold (expected allow)" in tested
    for hold_id in (refund, claim, handoff, report_id):
        assert any(line.startswith("PASS") and f"review-{hold_id}" in line
                   for line in tested.splitlines()), hold_id
    written = cases.read_text(encoding="utf-8")
    by_id = {c["id"]: c for c in yaml.safe_load(written)["cases"]}
    assert by_id[f"review-{blame}"]["expect"] == {"action": "allow"}
    assert by_id[f"review-{refund}"]["expect"] == {"action": "hold"}
    assert by_id[f"review-{handoff}"]["request"].startswith("I am <PERSON_1>.")
    assert f"# {blame} (answer, app shop): approved by alice" in written

    one_rule = tmp_path / "refunds.yaml"
    run("review", "export-cases", "--rule", "governed.refunds", "--out", str(one_rule))
    assert [c["id"] for c in yaml.safe_load(one_rule.read_text())["cases"]] == [f"review-{refund}"]

    examples_path = tmp_path / "examples.yaml"
    run("review", "export-cases", "--as-examples", "--out", str(examples_path))
    examples = yaml.safe_load(examples_path.read_text(encoding="utf-8"))
    assert set(examples) == {
        "semantic.customer-blame", "governed.refunds", "semantic.promises", "semantic.human-claim"
    }
    assert examples["semantic.customer-blame"]["breaks"] == []
    assert examples["semantic.customer-blame"]["fine"][0].startswith("This is your own fault")
    assert examples["governed.refunds"]["breaks"][0].startswith("Sure <PERSON_1>")

    dataset_path = tmp_path / "reviewed.jsonl"
    run("review", "export-dataset", "--out", str(dataset_path))
    records = {r["hold_id"]: r for r in map(json.loads, dataset_path.read_text().splitlines())}
    assert set(records) == {blame, refund, claim, handoff, report_id}
    edited = records[refund]
    assert edited["reviewer_answer"] == EDITED and edited["label"]["call"] == "edited"
    assert edited["rule_ids"] == ["governed.refunds", "semantic.promises"] and edited["policy_version"]
    assert edited["prompt"].startswith("LOOP-B I am <PERSON_1>, I want my money back")
    assert records[blame]["label"] == {"call": "approved", "decision": "approve",
                                       "expected": "allow", "policy_action": "hold",
                                       "rules_right": False}

    for exported in (written, one_rule.read_text(), examples_path.read_text(),
                     dataset_path.read_text()):
        assert "<PERSON_1>" in exported
        for value in SEEDED:
            assert value not in exported


def test_durations_and_empty_exports(proxy: ProxyHarness, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cli = CliRunner(env={"REDIS_URL": proxy.settings.redis_url or "",
                         "GUARDRAIL_REDIS_PREFIX": proxy.settings.redis_prefix + "empty:"})
    bad = cli.invoke(main, ["review", "stats", "--since", "yesterday"])
    assert bad.exit_code == 2 and "not a duration" in bad.output
    out = tmp_path / "none.yaml"
    done: Any = cli.invoke(main, ["review", "export-cases", "--out", str(out)])
    assert done.exit_code == 0 and "wrote 0 case(s)" in done.output
    assert yaml.safe_load(out.read_text()) == {"cases": []}
