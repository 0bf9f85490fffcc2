"""Signed session cookies and CSRF tokens for the review page.

The cookie carries only ids: a random session id, the reviewer's name and
the creation time of the reviewer record (so a reviewer removed and added
again, which issues a new token, does not keep old sessions alive). It is
signed with HMAC-SHA256; nothing in it is secret. Every visitor gets a
session (signed-out ones too), so the sign-in form has a CSRF token as well.
The CSRF token is an HMAC of the session id: a page from another site can
neither read it nor compute it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from guardrail.review.sessions import SESSION_SECONDS

COOKIE = "guardrail_review"
_SEPARATOR = "."


def session_secret(vault_keys: list[bytes]) -> bytes:
    """The signing key, derived from the newest vault key with its own label.

    Replicas that share a Redis already share vault keys (configured, or the
    one generated into the data dir on a single machine), so sessions work
    behind a load balancer without another secret to distribute. HKDF with a
    distinct label keeps the two uses cryptographically apart.
    """
    if not vault_keys:
        raise ValueError("a vault key is needed to derive the session secret")
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"guardrail review page session v1")
    return kdf.derive(vault_keys[0])


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    reviewer: str | None = None
    reviewer_created: float | None = None
    issued: float = 0.0

    @property
    def signed_in(self) -> bool:
        return self.reviewer is not None


class SessionSigner:
    def __init__(self, secret: bytes, *, max_age: float = SESSION_SECONDS) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret is too short")
        self._secret = secret
        self.max_age = max_age

    def new(self, reviewer: str | None = None, reviewer_created: float | None = None) -> Session:
        # A fresh id on every sign-in and sign-out: no session fixation.
        return Session(secrets.token_urlsafe(18), reviewer, reviewer_created, time.time())

    def dump(self, session: Session) -> str:
        payload = json.dumps(
            {"s": session.sid, "r": session.reviewer, "c": session.reviewer_created,
             "i": session.issued},
            separators=(",", ":"),
        ).encode()
        body = _b64(payload)
        return body + _SEPARATOR + _b64(self._mac(b"session|" + body.encode()))

    def load(self, raw: str | None) -> Session | None:
        """The session in a cookie, or None when absent, forged or too old."""
        if not raw or raw.count(_SEPARATOR) != 1:
            return None
        body, mac = raw.split(_SEPARATOR)
        try:
            expected = self._mac(b"session|" + body.encode())
            if not hmac.compare_digest(_unb64(mac), expected):
                return None
            data = json.loads(_unb64(body))
            session = Session(str(data["s"]), data.get("r"), data.get("c"), float(data["i"]))
        except (binascii.Error, ValueError, KeyError, TypeError, UnicodeEncodeError):
            return None
        if not 0 <= time.time() - session.issued <= self.max_age:
            return None
        return session

    def csrf_token(self, session: Session) -> str:
        return _b64(self._mac(b"csrf|" + session.sid.encode()))

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(session))

    def _mac(self, message: bytes) -> bytes:
        return hmac.new(self._secret, message, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
