"""The review page: where reviewers release held answers (mounted at /review).

Server-rendered (Jinja2, autoescaped), a small script for live updates and
keyboard shortcuts, no CDN and no build step. Built by `review_page(...)`
from the same objects as the reviewer API; mount it after `/review/api`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from functools import partial

from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from guardrail.audit import AuditLog
from guardrail.review.queue import ReviewQueue
from guardrail.review.restore import RestorerSource
from guardrail.review.reviewers import ReviewerStore
from guardrail.review.web import actions, pages, reveal, stats_page
from guardrail.review.web.render import STATIC_DIR
from guardrail.review.web.security import SecurityHeadersMiddleware
from guardrail.review.web.session import SessionSigner, session_secret
from guardrail.review.web.site import Endpoint, ReviewSite

__all__ = ["review_page", "session_secret"]


def review_page(
    queue: ReviewQueue,
    reviewers: ReviewerStore,
    pii: RestorerSource,
    audit: AuditLog,
    *,
    secret: bytes,
    reveal_allowed: Callable[[str], bool] = lambda app: True,
    path: str = "/review",
    trusted_proxies: Iterable[str] = (),
) -> Mount:
    """`secret` signs session cookies: `session_secret(vault_keys)` derives one
    that every replica sharing the vault keys agrees on."""
    site = ReviewSite(queue=queue, reviewers=reviewers, pii=pii, audit=audit,
                      signer=SessionSigner(secret), reveal_allowed=reveal_allowed,
                      trusted_proxies=frozenset(trusted_proxies))

    def form(handler: Callable[..., Awaitable[Response]], *, signed_in: bool = True) -> Endpoint:
        return site.form(partial(handler, site), signed_in=signed_in)

    routes = [
        Route("/", site.page(partial(pages.queue_page, site)), methods=["GET"]),
        Route("/queue/rows", site.page(partial(pages.queue_rows, site), fragment=True),
              methods=["GET"]),
        Route("/items/{hold_id}", site.page(partial(pages.item_page, site)), methods=["GET"]),
        Route("/items/{hold_id}/live", site.page(partial(pages.item_live, site), fragment=True),
              methods=["GET"]),
        Route("/stats", site.page(partial(stats_page.stats_page, site)), methods=["GET"]),
        Route("/stats/holds", site.page(partial(stats_page.stats_holds_page, site)),
              methods=["GET"]),
        Route("/items/{hold_id}/claim", form(actions.claim), methods=["POST"]),
        Route("/items/{hold_id}/unclaim", form(actions.unclaim), methods=["POST"]),
        Route("/items/{hold_id}/decide", form(actions.decide), methods=["POST"]),
        Route("/items/{hold_id}/reveal", form(reveal.reveal), methods=["POST"]),
        Route("/login", partial(pages.login_page, site), methods=["GET"]),
        Route("/login", form(actions.login, signed_in=False), methods=["POST"]),
        Route("/logout", form(actions.logout, signed_in=False), methods=["POST"]),
        Route("/language", form(actions.language, signed_in=False), methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Mount(path, routes=routes, middleware=[Middleware(SecurityHeadersMiddleware)])
