"""What every review page handler shares: the queue objects, who is asking,
and rendering with the right language, CSRF token and session cookie."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from guardrail.audit import AuditLog
from guardrail.review.model import QueueUnavailable
from guardrail.review.queue import ReviewQueue
from guardrail.review.restore import RestorerSource
from guardrail.review.reviewers import Reviewer, ReviewerStore
from guardrail.review.web import i18n
from guardrail.review.web.render import duration, template_environment
from guardrail.review.web.session import COOKIE, Session, SessionSigner

logger = logging.getLogger(__name__)

LANGUAGE_COOKIE = "guardrail_review_lang"
POLL_MS = 3000


@dataclass
class Visitor:
    session: Session
    reviewer: Reviewer | None
    language: str
    fresh: bool = False  # the session cookie must be (re)written
    secure: bool = False  # https: mark the cookie Secure (plain http cannot keep one)

    def strings(self) -> Mapping[str, str]:
        return i18n.strings(self.language)

    def tr(self, key: str, **values: Any) -> str:
        return self.strings()[key].format(**values)


@dataclass
class ReviewSite:
    queue: ReviewQueue
    reviewers: ReviewerStore
    pii: RestorerSource
    audit: AuditLog
    signer: SessionSigner
    reveal_allowed: Callable[[str], bool] = lambda app: True
    # Peers (TLS-terminating proxies) whose X-Forwarded-Proto is believed.
    trusted_proxies: frozenset[str] = frozenset()
    env: jinja2.Environment = field(default_factory=template_environment)

    def is_https(self, request: Request) -> bool:
        """Whether the browser reached us over TLS: directly, or through a
        trusted proxy that says so (anyone else's header is ignored)."""
        if request.url.scheme == "https":
            return True
        peer = request.client.host if request.client else None
        if peer is None or peer not in self.trusted_proxies:
            return False
        forwarded = request.headers.get("x-forwarded-proto", "")
        return forwarded.split(",")[0].strip().lower() == "https"

    # -- who is asking ------------------------------------------------------

    async def visitor(self, request: Request) -> Visitor:
        language = i18n.pick_language(request.cookies.get(LANGUAGE_COOKIE),
                                      request.headers.get("accept-language"))
        secure = self.is_https(request)
        session = self.signer.load(request.cookies.get(COOKIE))
        if session is None:
            return Visitor(self.signer.new(), None, language, fresh=True, secure=secure)
        if session.reviewer is None:
            return Visitor(session, None, language, secure=secure)
        reviewer = await self.reviewers.get(session.reviewer)
        # A removed (or removed and re-added) reviewer's old sessions end
        # here, and so does a session signed out of (its record is gone).
        if (
            reviewer is None
            or reviewer.created != session.reviewer_created
            or not await self.reviewers.sessions.is_live(session.sid, session.reviewer)
        ):
            return Visitor(self.signer.new(), None, language, fresh=True, secure=secure)
        return Visitor(session, reviewer, language, secure=secure)

    # -- responses ----------------------------------------------------------

    def render(self, request: Request, visitor: Visitor, template: str, *,
               status: int = 200, **context: Any) -> HTMLResponse:
        strings = visitor.strings()
        units = i18n.units(visitor.language)
        values = {
            "root": root(request),
            "t": strings,
            "tr": visitor.tr,
            "lang": visitor.language,
            "reviewer": visitor.reviewer,
            "csrf": self.signer.csrf_token(visitor.session),
            "here": _here(request),
            "duration": lambda seconds: duration(seconds, units),
            "now": time.time(),
            "notice": None,
            "problem": None,
            "poll_ms": POLL_MS,
            **context,
        }
        html = self.env.get_template(template).render(values)
        return self.finish(request, HTMLResponse(html, status_code=status), visitor)

    def message(self, request: Request, visitor: Visitor, status: int, key: str) -> HTMLResponse:
        return self.render(request, visitor, "message.html", status=status,
                           heading=visitor.tr(f"{key}_title"), detail=visitor.tr(f"{key}_detail"))

    def redirect(self, request: Request, visitor: Visitor, path: str) -> Response:
        # 303: the browser follows with GET, so a reload never re-posts a decision.
        return self.finish(request, RedirectResponse(root(request) + path, status_code=303), visitor)

    def finish(self, request: Request, response: Response, visitor: Visitor) -> Response:
        if visitor.fresh:
            response.set_cookie(
                COOKIE, self.signer.dump(visitor.session), max_age=int(self.signer.max_age),
                path=root(request) or "/", httponly=True, samesite="strict",
                secure=visitor.secure,
            )
        return response

    # -- handler wrappers ---------------------------------------------------

    def page(self, handler: PageHandler, *, fragment: bool = False) -> Endpoint:
        """A GET page for signed-in reviewers; others go to the sign-in form."""

        async def endpoint(request: Request) -> Response:
            visitor = await self.visitor(request)
            if visitor.reviewer is None:
                if fragment:  # the poller: tell its script to reload into the sign-in page
                    return self.finish(request, Response(status_code=401), visitor)
                return self.redirect(request, visitor, "/login")
            return await self._guarded(handler, request, visitor, None)

        return endpoint

    def form(self, handler: FormHandler, *, signed_in: bool = True) -> Endpoint:
        """A POST form: refused (403) without the session's CSRF token or
        when another site sent it, before anything else is looked at."""

        async def endpoint(request: Request) -> Response:
            visitor = await self.visitor(request)
            form = await request.form(max_files=0, max_fields=20, max_part_size=1024 * 1024)
            if not same_origin(request) or not self.signer.csrf_ok(visitor.session, _field(form, "csrf")):
                logger.warning("review page: form post to %s refused (csrf/origin)", request.url.path)
                return self.message(request, visitor, 403, "forbidden")
            if signed_in and visitor.reviewer is None:
                return self.redirect(request, visitor, "/login")
            return await self._guarded(handler, request, visitor, form)

        return endpoint

    async def _guarded(self, handler: Any, request: Request, visitor: Visitor,
                       form: FormData | None) -> Response:
        try:
            if form is None:
                return await handler(request, visitor)
            return await handler(request, visitor, form)
        except QueueUnavailable:
            return self.message(request, visitor, 503, "unavailable")


PageHandler = Callable[[Request, Visitor], Awaitable[Response]]
FormHandler = Callable[[Request, Visitor, FormData], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def root(request: Request) -> str:
    """Where the page is mounted (`/review`, behind any outer root path)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def same_origin(request: Request) -> bool:
    """A browser names the page a form came from; it must be this host.
    (Requests without an Origin header, e.g. from old clients, still need
    the CSRF token.)"""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _here(request: Request) -> str:
    """This page, for the language switch to come back to (GET pages only)."""
    if request.method != "GET":
        return root(request) + "/"
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None
