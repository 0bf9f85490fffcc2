"""Hot reload: edits take effect; a broken edit keeps the last good version."""

from __future__ import annotations

import asyncio
from pathlib import Path

from guardrail.policy import PolicyStore
from guardrail.types import Action, CheckContext

GOOD = "rules:\n  - {id: tone.banned, type: banned_phrases, phrases: [cheap]}\n"
EDITED = "rules:\n  - {id: tone.banned, type: banned_phrases, phrases: [cheap, budget]}\n"
BROKEN = "rules:\n  - {id: tone.banned, type: banned_phrases, phrases: [cheap], oops: 1}\n"


def _action(store: PolicyStore, text: str) -> Action:
    return store.get(None).check_answer(text, CheckContext()).action


def test_edit_gives_a_new_version(write):
    directory = write("tone.yaml", GOOD)
    store = PolicyStore(directory)
    store.load()
    before = store.get(None).version
    assert _action(store, "a budget lamp") is Action.ALLOW

    (directory / "tone.yaml").write_text(EDITED)
    assert store.reload() is True
    assert store.get(None).version != before
    assert _action(store, "a budget lamp") is Action.HOLD
    assert store.errors == []
    assert store.reload() is False  # nothing changed since


def test_broken_edit_keeps_last_good_and_records_the_error(write):
    directory = write("tone.yaml", GOOD)
    store = PolicyStore(directory)
    store.load()
    version = store.get(None).version

    (directory / "tone.yaml").write_text(BROKEN)
    assert store.reload() is False
    assert store.get(None).version == version
    assert _action(store, "so cheap") is Action.HOLD  # checks still on
    assert store.errors == ["tone.yaml:2: rules[0].banned_phrases.oops: unknown field (check the spelling)"]

    (directory / "tone.yaml").write_text(EDITED)  # fixed: errors clear
    assert store.reload() is True
    assert store.errors == []


def test_emptied_directory_keeps_last_good(write):
    directory = write("tone.yaml", GOOD)
    store = PolicyStore(directory)
    store.load()
    (directory / "tone.yaml").unlink()
    assert store.reload() is False
    assert _action(store, "so cheap") is Action.HOLD
    assert "no policy files left" in store.errors[0]


def test_version_is_a_content_hash(write, tmp_path: Path):
    first = PolicyStore(write("tone.yaml", GOOD))
    first.load()
    again = PolicyStore(tmp_path)
    again.load()
    assert first.get(None).version == again.get(None).version
    assert all(v.get(None).version for v in (first, again))


async def test_watch_task_swaps_in_edits(write):
    directory = write("tone.yaml", GOOD)
    store = PolicyStore(directory, reload_interval=0.05)
    store.load()
    task = asyncio.create_task(store.watch())
    try:
        (directory / "tone.yaml").write_text(BROKEN)
        await _until(lambda: bool(store.errors))
        assert _action(store, "so cheap") is Action.HOLD
        (directory / "tone.yaml").write_text(EDITED)
        await _until(lambda: _action(store, "a budget lamp") is Action.HOLD)
        assert store.errors == []
    finally:
        task.cancel()


async def _until(condition, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)
