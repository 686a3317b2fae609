"""Server-side console sessions: the cookie carries a random id, the database only its sha256.

The CSRF token is derived from the session id (HMAC), so it changes whenever the id does (at
sign-in, at sign-out) and a page of another site can neither read nor guess it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col

from shopwarden.db.engine import session_scope
from shopwarden.db.models import ConsoleSession, utcnow

COOKIE = "sw_session"
SESSION_TTL = timedelta(hours=8)
ANONYMOUS_TTL = timedelta(hours=1)  # a sign-in page left open; expired rows are deleted as new ones start
ID_MAX_CHARS = 100
MAX_FLASH = 5


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def csrf_token(raw: str) -> str:
    return hmac.new(raw.encode(), b"shopwarden-console-csrf", hashlib.sha256).hexdigest()


def csrf_matches(raw: str, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(csrf_token(raw), submitted or "")


def start(engine: Engine, person_id: str | None = None, merchant_id: str | None = None,
          flash: list[dict[str, str]] | None = None) -> str:
    """A new session; returns the raw id for the cookie (never stored)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope(engine) as session:
        session.execute(delete(ConsoleSession).where(col(ConsoleSession.expires_at) <= now))
        session.add(ConsoleSession(id_hash=_hash(raw), person_id=person_id, merchant_id=merchant_id,
                                   flash=list(flash or []), created_at=now,
                                   expires_at=now + (SESSION_TTL if person_id else ANONYMOUS_TTL)))
    return raw


def load(engine: Engine, raw: str | None) -> ConsoleSession | None:
    """The live session for a cookie value, or None (unknown, malformed or expired)."""
    if not raw or len(raw) > ID_MAX_CHARS:
        return None
    with session_scope(engine) as session:
        row = session.get(ConsoleSession, _hash(raw))
        if row is None or row.expires_at <= utcnow():
            return None
        return row


def end(engine: Engine, raw: str | None) -> list[dict[str, str]]:
    """Delete the session (and any expired ones); returns its pending flash messages."""
    if raw is None:
        return []
    with session_scope(engine) as session:
        row = session.get(ConsoleSession, _hash(raw))
        pending = list(row.flash) if row else []
        session.execute(delete(ConsoleSession).where(
            (col(ConsoleSession.id_hash) == _hash(raw)) | (col(ConsoleSession.expires_at) <= utcnow())))
        return pending


def choose_merchant(engine: Engine, raw: str | None, merchant_id: str) -> None:
    if raw is None:
        return
    with session_scope(engine) as session:
        row = session.get(ConsoleSession, _hash(raw))
        if row is not None:
            row.merchant_id = merchant_id
            session.add(row)


def flash(engine: Engine, raw: str | None, text: str, kind: str = "ok") -> None:
    """A message shown once on the next page (kept server-side: a link cannot supply it)."""
    if raw is None:
        return
    with session_scope(engine) as session:
        row = session.get(ConsoleSession, _hash(raw))
        if row is not None:
            row.flash = [*row.flash, {"text": text[:500], "kind": kind}][-MAX_FLASH:]
            session.add(row)


def take_flash(engine: Engine, raw: str | None) -> list[dict[str, str]]:
    if raw is None:
        return []
    with session_scope(engine) as session:
        row = session.get(ConsoleSession, _hash(raw))
        if row is None or not row.flash:
            return []
        messages = list(row.flash)
        row.flash = []
        session.add(row)
        return messages
