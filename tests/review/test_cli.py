"""`guardrail review|reviewers|audit` through click, against the real Redis."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardrail.cli.audit import audit_group
from guardrail.cli.review import review_group
from guardrail.cli.reviewers import reviewers_group
from guardrail.review import ReviewQueue
from tests.review.support import park_answer


@pytest.fixture
def cli(redis_url: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no guardrail.yaml around
    return CliRunner(
        env={"REDIS_URL": redis_url, "GUARDRAIL_REDIS_PREFIX": prefix, "GUARDRAIL_REVIEWER": "alice"}
    )


async def test_reviewer_flow_from_the_terminal(cli: CliRunner, queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    other = await park_answer(queue)

    def invoke(group: object, *args: str) -> object:
        return cli.invoke(group, list(args), catch_exceptions=False)

    # click runs its own event loop (asyncio.run), so run it in a thread.
    added = await asyncio.to_thread(invoke, reviewers_group, "add", "alice", "--can-reveal")
    assert added.exit_code == 0 and "token: grv_" in added.output
    listed_reviewers = await asyncio.to_thread(invoke, reviewers_group, "list")
    assert "alice  reviewer  can-reveal" in listed_reviewers.output

    listed = await asyncio.to_thread(invoke, review_group, "list", "--json")
    assert {json.loads(line)["id"] for line in listed.output.splitlines()} == {hold.id, other.id}
    shown = await asyncio.to_thread(invoke, review_group, "show", hold.id)
    assert "tone.rude" in shown.output and "Go away <PERSON_1>." in shown.output
    claimed = await asyncio.to_thread(invoke, review_group, "claim", hold.id)
    assert claimed.exit_code == 0 and "claimed" in claimed.output
    edited = await asyncio.to_thread(
        invoke, review_group, "edit", hold.id, "--text", "Hello <PERSON_1>", "--version", "1"
    )
    assert edited.exit_code == 0, edited.output
    assert (await queue.outcome(hold.id)).text == "Hello <PERSON_1>"  # type: ignore[union-attr]

    again = await asyncio.to_thread(invoke, review_group, "approve", hold.id)
    assert again.exit_code == 3 and "already decided" in again.output
    missing = await asyncio.to_thread(invoke, review_group, "approve", "hold_nope")
    assert missing.exit_code == 4
    rejected = await asyncio.to_thread(invoke, review_group, "reject", other.id)
    assert rejected.exit_code == 0
    assert (await queue.outcome(other.id)).text == (  # type: ignore[union-attr]
        "Sorry, a colleague will get back to you."
    )

    verified = await asyncio.to_thread(invoke, audit_group, "verify")
    assert verified.exit_code == 0 and "chain intact" in verified.output
    exported = await asyncio.to_thread(invoke, audit_group, "export", "-o", "audit.jsonl")
    assert exported.exit_code == 0
    offline = await asyncio.to_thread(invoke, audit_group, "verify", "--file", "audit.jsonl")
    assert offline.exit_code == 0

    removed = await asyncio.to_thread(invoke, reviewers_group, "remove", "alice")
    assert removed.exit_code == 0


async def test_unknown_reviewer_is_refused(cli: CliRunner, queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    result = await asyncio.to_thread(cli.invoke, review_group, ["approve", hold.id])
    assert result.exit_code != 0 and "no reviewer named alice" in result.output
