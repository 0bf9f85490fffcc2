"""One proxy (shipped policies, scripted stand-in provider) for the package,
reviewers to sign in with, and one headless Chromium per test module."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from guardrail.review.reviewers import Role
from guardrail.standin import StandInProvider
from tests.review_page.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Script,
    add_reviewer,
    chromium_problem,
)
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy


@dataclass
class Site:
    harness: ProxyHarness
    script: Script
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return f"{self.harness.proxy.url}/review"


@pytest.fixture(scope="package")
def site(redis_url: str) -> Iterator[Site]:
    script = Script()
    provider = StandInProvider(script, models=[MODEL])
    # Revealing is off unless the app allows it; this app does.
    config = {"apps": [{"name": "shop", "reveal_allowed": True}]}
    with running_proxy(
        redis_url, policies_dir=SHIPPED_POLICIES, provider=provider, config=config
    ) as harness:
        tokens = {
            "alice": add_reviewer(harness, "alice", Role.ADMIN, can_reveal=True),
            "bob": add_reviewer(harness, "bob", Role.REVIEWER, can_reveal=False),
        }
        harness.key("shop")  # created now: asyncio.run cannot run under Playwright's loop
        yield Site(harness, script, tokens)


@pytest.fixture(scope="module")
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="sdk") as pool:
        yield pool


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module. Missing Chromium or Playwright fails the
    tests with a clear message; nothing is skipped."""
    problem = chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "the playwright package is missing: pip install playwright "
            "(never `playwright install`: tests use the system Chromium)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(15000)
    try:
        yield context.new_page()
    finally:
        context.close()
