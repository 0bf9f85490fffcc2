"""The review page's part of the learning loop, in headless Chromium in front
of a real proxy: decisions made three ways on the page land in the admin's
rule-precision view; approved-message slots are asked for; an item page
shows another reviewer's decision live; items close to their deadline are
flagged."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from guardrail.review.stats import review_stats
from tests.review_page.conftest import Site
from tests.review_page.support import with_queue
from tests.review_page.test_browser import FALLBACK, park, sign_in
from tests.support.harness import MODEL

ASYNC = {"X-Guardrail-Hold-Mode": "async"}


def held(site: Site, message: str) -> str:
    raw = site.harness.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": message}], extra_headers=ASYNC)
    assert raw.headers.get("x-guardrail-verdict") == "hold", raw.parse().choices[0].message.content
    return raw.headers["x-guardrail-hold-id"]


def outcome_text(site: Site, hold_id: str) -> str | None:
    async def go(queue: Any) -> str | None:
        outcome = (await queue.get(hold_id)).outcome
        return outcome.text if outcome else None

    result: str | None = with_queue(site.harness, go)
    return result


def test_decisions_on_the_page_show_in_the_rule_precision_view(site: Site, page: Any) -> None:
    site.script.answers["LEARN-BLAME"] = "This is your own fault for entering the wrong address, {ph}."
    approved = held(site, "LEARN-BLAME I am Priya Raman, where is my parcel?")
    edited = held(site, "LEARN-BLAME I am Priya Raman, my parcel is late.")
    rejected = held(site, "LEARN-BLAME I am Priya Raman, it never came.")
    sign_in(page, site, "alice")

    page.goto(f"{site.url}/items/{approved}")
    expect(page.locator("#findings")).not_to_contain_text("honesty.ai-disclosure")
    page.click("#approve")
    expect(page.locator("#notice")).to_contain_text(approved)
    page.goto(f"{site.url}/items/{edited}")
    page.keyboard.press("e")
    page.fill("#edit-text", "Sorry about the wait, <PERSON_1>. Your parcel arrives tomorrow.")
    page.click("#send-edit")
    expect(page.locator("#notice")).to_contain_text(edited)
    page.goto(f"{site.url}/items/{rejected}")
    page.click("#reject")
    expect(page.locator("#notice")).to_contain_text(rejected)
    assert outcome_text(site, rejected) == FALLBACK

    page.click("#stats-link")
    expect(page).to_have_url(re.compile(r"/review/stats$"))
    row = page.locator('#stats tr[data-rule="semantic.customer-blame"]:not([data-shadow])')
    expect(row).to_be_visible()
    stats = with_queue(site.harness, lambda queue: review_stats(queue))
    blame = next(r for r in stats.rules if r.rule_id == "semantic.customer-blame" and not r.shadow)
    for column in ("holds", "approved", "edited", "rejected"):
        expect(row.locator(f'td[data-column="{column}"]')).to_have_text(str(blame.count(column)))
    assert blame.precision is not None
    expect(row.locator('td[data-column="precision"]')).to_have_text(f"{blame.precision * 100:.0f}%")

    page.click('#stats th a[data-sort="precision"]')
    expect(page).to_have_url(re.compile(r"sort=precision"))
    expect(page.locator('#stats th[aria-sort]')).to_contain_text("Precision")

    row = page.locator('#stats tr[data-rule="semantic.customer-blame"]:not([data-shadow])')
    row.locator('td[data-column="approved"] a').click()
    expect(page.locator("#stats-holds")).to_contain_text(approved)
    expect(page.locator("#stats-holds")).not_to_contain_text(edited)
    page.click(f'#stats-holds a:text("{approved}")')
    expect(page.locator("#outcome")).to_contain_text("alice")
    assert "Priya" not in page.content()


def test_the_precision_view_is_for_admins(site: Site, page: Any) -> None:
    sign_in(page, site, "bob")
    expect(page.locator("#stats-link")).to_have_count(0)
    response = page.goto(f"{site.url}/stats")
    assert response is not None and response.status == 403
    api = httpx.get(f"{site.harness.proxy.url}/review/api/stats",
                    headers={"Authorization": f"Bearer {site.tokens['bob']}"}, timeout=10)
    assert api.status_code == 403
    admin = httpx.get(f"{site.harness.proxy.url}/review/api/stats?since_seconds=3600",
                      headers={"Authorization": f"Bearer {site.tokens['alice']}"}, timeout=10)
    assert admin.status_code == 200 and "rules" in admin.json()


def test_unfilled_slots_are_asked_for_before_sending(site: Site, page: Any) -> None:
    site.script.answers["LEARN-REFUND"] = "Sure, I'll send the money back to your card right away."
    hold_id = held(site, "LEARN-REFUND I want my money back for order BS-123456")
    suggestions = with_queue(site.harness, lambda q: q.get(hold_id)).suggestions
    choice = next(i for i, s in enumerate(suggestions) if "{amount}" in s)
    assert "{order_id}" not in suggestions[choice]  # the policy filled what it could

    api = f"{site.harness.proxy.url}/review/api/holds/{hold_id}/decision"
    refused = httpx.post(api, json={"decision": "pick", "choice": choice}, timeout=10,
                         headers={"Authorization": f"Bearer {site.tokens['alice']}"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "slots"

    sign_in(page, site, "alice")
    page.goto(f"{site.url}/items/{hold_id}")
    form = page.locator(f"#pick-form-{choice}")
    slot = form.locator('input[data-slot="amount"]')
    expect(slot).to_be_visible()
    form.locator("button.pick").click()  # the browser will not send it empty
    expect(page.locator("#notice")).to_have_count(0)
    slot.fill("$45.00")
    form.locator("button.pick").click()
    expect(page.locator("#notice")).to_contain_text(hold_id)
    sent = outcome_text(site, hold_id)
    assert sent is not None and "$45.00" in sent and "BS-123456" in sent and "{" not in sent


def test_the_item_page_shows_another_reviewers_decision_live(site: Site, page: Any) -> None:
    hold_id = park(site)
    sign_in(page, site, "bob")
    page.goto(f"{site.url}/items/{hold_id}")
    expect(page.locator("#actions")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    decided = httpx.post(f"{site.harness.proxy.url}/review/api/holds/{hold_id}/decision",
                         json={"decision": "approve"}, timeout=10,
                         headers={"Authorization": f"Bearer {site.tokens['alice']}"})
    assert decided.status_code == 200
    expect(page.locator("#decided-banner")).to_contain_text("alice", timeout=10000)
    expect(page.locator("#actions")).to_be_hidden()
    assert page.evaluate("window.notReloaded") is True


def test_items_close_to_their_deadline_are_flagged(site: Site, page: Any) -> None:
    async def go(queue: Any) -> tuple[str, str]:
        soon = await queue.park(kind="answer", app="shop", conversation_id="c-soon",
                                answer="Soon.", deadline_seconds=45)
        later = await queue.park(kind="answer", app="shop", conversation_id="c-later",
                                 answer="Later.", deadline_seconds=3600)
        return soon.id, later.id

    soon, later = with_queue(site.harness, go)
    sign_in(page, site, "alice")
    expect(page.locator(f'tr[data-id="{soon}"]')).to_have_class(re.compile(r"\bdue-soon\b"))
    expect(page.locator(f'tr[data-id="{later}"]')).not_to_have_class(re.compile(r"\bdue-soon\b"))
    expect(page.locator("#due-soon-count")).to_be_visible()
    page.goto(f"{site.url}/items/{soon}")
    expect(page.locator("#due-soon")).to_be_visible()
