"""The review page in headless Chromium, in front of a real proxy.

Answers are created by the openai SDK through the proxy (shipped policies,
scripted stand-in provider); the SDK call waits in hold mode `wait` while a
reviewer decides in the browser, and must receive what the reviewer chose.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from playwright.sync_api import expect

from guardrail.review.model import HoldStatus
from tests.review_page.conftest import Site
from tests.review_page.support import ARTIFACTS, WaitingCall, audit_events, with_queue

RUDE = "This is your own fault for entering the wrong address."
FALLBACK = "I'm sorry, I can't help with that here. A member of our team will follow up with you by email."
MARKUP = '<script>window.pwned=1</script><img src="http://127.0.0.1:9/x.png">'


def sign_in(page: Any, site: Site, name: str) -> None:
    page.goto(site.url)  # as `guardrail demo` prints it: no trailing slash
    expect(page).to_have_url(re.compile(r"/review/login$"))
    page.fill("#name", name)
    page.fill("#token", site.tokens[name])
    page.click("#sign-in")
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.locator("#who")).to_contain_text(name)


def park(site: Site, answer: str = RUDE) -> str:
    async def go(queue: Any) -> str:
        hold = await queue.park(
            kind="answer",
            app="shop",
            conversation_id="conv-direct",
            messages=[{"role": "user", "content": "Where is my parcel?"}],
            answer=answer,
            policy_version="test",
            fallback_text=FALLBACK,
            deadline_seconds=600,
        )
        return str(hold.id)

    result: str = with_queue(site.harness, go)
    return result


def status_of(site: Site, hold_id: str) -> HoldStatus:
    async def go(queue: Any) -> HoldStatus:
        return (await queue.get(hold_id)).status

    result: HoldStatus = with_queue(site.harness, go)
    return result


def test_live_queue_and_approve_releases_the_waiting_answer(
    site: Site, page: Any, executor: ThreadPoolExecutor
) -> None:
    site.script.answers["CASE-APPROVE"] = RUDE
    sign_in(page, site, "alice")
    page.evaluate("window.notReloaded = true")
    call = WaitingCall(site.harness, site.tokens["alice"], "Where is my parcel? CASE-APPROVE", executor)

    row = page.locator(f'tr[data-id="{call.hold_id}"]')
    expect(row).to_be_visible(timeout=10000)  # the poller brought it in
    assert page.evaluate("window.notReloaded") is True
    expect(row).to_contain_text("semantic.customer-blame")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)

    row.click()
    expect(page.locator("#answer")).to_contain_text(RUDE)
    expect(page.locator("#findings .closest")).to_contain_text("closest examples")
    expect(page.locator("#findings")).to_contain_text("semantic.customer-blame")
    expect(page.locator("#policy-version")).to_have_text(re.compile(r"^[0-9a-f]{8,}$"))
    page.screenshot(path=str(ARTIFACTS / "review-item.png"), full_page=True)

    page.keyboard.press("a")
    expect(page.locator("#notice")).to_contain_text(call.hold_id)
    text, headers = call.result()
    assert text.startswith(RUDE)
    assert headers["x-guardrail-decision"] == "approve"


def test_edit_keeps_placeholders_and_reveal_is_audited(
    site: Site, page: Any, executor: ThreadPoolExecutor
) -> None:
    site.script.answers["CASE-EDIT"] = "This is your own fault, {ph}."
    message = "Hi, I'm Sarah Johnson (sarah.johnson@example.com). Where is my parcel? CASE-EDIT"
    call = WaitingCall(site.harness, site.tokens["alice"], message, executor)
    sign_in(page, site, "alice")
    page.goto(f"{site.url}/items/{call.hold_id}")

    placeholder = page.locator("#answer .ph").first.inner_text()
    assert re.fullmatch(r"<[A-Z_]+_\d+>", placeholder), placeholder
    expect(page.locator("#conversation .ph").first).to_be_visible()
    assert "Sarah" not in page.content()

    page.click("#reveal")
    expect(page.locator("#revealed")).to_be_visible()
    expect(page.locator("#conversation")).to_contain_text("sarah.johnson@example.com")
    events = audit_events(site.harness)
    assert any('"hold.revealed"' in e and call.hold_id in e and '"alice"' in e for e in events)
    assert not any("Sarah" in e or "sarah.johnson" in e for e in events)

    page.keyboard.press("e")
    expect(page.locator("#edit-text")).to_be_focused()
    page.fill("#edit-text", f"Sorry for the trouble, {placeholder}. Your parcel arrives tomorrow.")
    page.click("#send-edit")
    expect(page.locator("#notice")).to_contain_text(call.hold_id)
    text, headers = call.result()
    assert headers["x-guardrail-decision"] == "edit"
    assert text.startswith("Sorry for the trouble, ")
    assert placeholder not in text and "<" not in text  # restored for the customer
    assert "Sarah" in text or "sarah.johnson@example.com" in text


def test_reject_sends_the_fallback(site: Site, page: Any, executor: ThreadPoolExecutor) -> None:
    site.script.answers["CASE-REJECT"] = RUDE
    call = WaitingCall(site.harness, site.tokens["bob"], "Where is my parcel? CASE-REJECT", executor)
    sign_in(page, site, "bob")
    page.goto(f"{site.url}/items/{call.hold_id}")
    expect(page.locator("#reveal")).to_have_count(0)  # bob may not reveal
    page.keyboard.press("r")
    expect(page.locator("#notice")).to_contain_text(call.hold_id)
    text, headers = call.result()
    assert text == FALLBACK
    assert headers["x-guardrail-decision"] == "reject"


def test_someone_else_s_claim_and_decision_are_shown(site: Site, page: Any) -> None:
    hold_id = park(site)
    sign_in(page, site, "alice")
    api = {"Authorization": f"Bearer {site.tokens['bob']}"}
    base = f"{site.harness.proxy.url}/review/api/holds/{hold_id}"
    assert httpx.post(f"{base}/claim", headers=api, timeout=10).status_code == 200
    page.goto(f"{site.url}/items/{hold_id}")
    expect(page.locator("#claim")).to_contain_text("bob")
    decided = httpx.post(f"{base}/decision", headers=api, json={"decision": "reject"}, timeout=10)
    assert decided.status_code == 200

    page.click("#approve")  # the page still shows the item as open
    expect(page.locator("#problem")).to_have_text("Already decided by bob.")
    expect(page.locator("#outcome")).to_contain_text("bob")
    assert status_of(site, hold_id) is HoldStatus.DECIDED


def test_form_posts_without_the_csrf_token_are_refused(site: Site, page: Any) -> None:
    hold_id = park(site)
    sign_in(page, site, "alice")
    page.goto(f"{site.url}/items/{hold_id}")
    token = page.locator("#approve-form input[name=csrf]").get_attribute("value")
    decide = f"{site.url}/items/{hold_id}/decide"

    refused = [
        page.request.post(decide, form={"decision": "approve", "version": "1"}),
        page.request.post(decide, form={"decision": "approve", "version": "1", "csrf": "forged"}),
        page.request.post(
            decide, form={"decision": "approve", "csrf": token}, headers={"Origin": "http://evil.example"}
        ),
    ]
    assert [r.status for r in refused] == [403, 403, 403]
    assert status_of(site, hold_id) is HoldStatus.PENDING

    # The same request with the token goes through: the refusal was about CSRF.
    accepted = page.request.post(decide, form={"decision": "approve", "csrf": token})
    assert accepted.ok
    assert status_of(site, hold_id) is HoldStatus.DECIDED


def test_markup_in_answers_is_shown_as_text_and_loads_nothing(
    site: Site, page: Any, executor: ThreadPoolExecutor
) -> None:
    site.script.answers["CASE-MARKUP"] = f"{RUDE} {MARKUP}"
    requests: list[str] = []
    errors: list[str] = []  # a CSP violation or a failed load shows up here
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    # The customer gives the URL, so the answer's copy of it is not a leak of
    # someone else's data (which the policy would block, not hold).
    message = "CASE-MARKUP <b>bold</b><script>window.pwned=2</script> my photo is at http://127.0.0.1:9/x.png"
    call = WaitingCall(site.harness, site.tokens["alice"], message, executor)
    sign_in(page, site, "alice")
    expect(page.locator(f'tr[data-id="{call.hold_id}"]')).to_be_visible()
    page.goto(f"{site.url}/items/{call.hold_id}")

    expect(page.locator("#answer")).to_contain_text(MARKUP)
    expect(page.locator("#conversation")).to_contain_text("<script>window.pwned=2</script>")
    assert page.locator("main img, main script, main b").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    page.click("#reveal")  # restored values are text too
    expect(page.locator("#answer")).to_contain_text(MARKUP)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert not [url for url in requests if "127.0.0.1:9/" in url]
    assert errors == []

    page.keyboard.press("r")
    assert call.result()[0] == FALLBACK


def test_chinese_ui_is_remembered(site: Site, page: Any) -> None:
    sign_in(page, site, "bob")
    page.click("button[name=lang][value=zh]")
    expect(page.locator("h1")).to_have_text("审核队列")
    page.reload()
    expect(page.locator("h1")).to_have_text("审核队列")
    expect(page.locator("#sign-out")).to_have_text("退出登录")
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/review/login"))
    expect(page.locator("#notice")).to_have_text("您已退出登录。")
