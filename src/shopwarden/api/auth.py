"""Reviewer identity for the API and the page: a bearer token per reviewer, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.approvals.queue import add_reviewer
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Reviewer
from shopwarden.errors import NotFound

TOKEN_PREFIX = "swr_"


@dataclass(frozen=True)
class ReviewerIdentity:
    merchant_id: str
    name: str
    role: str

    @property
    def may_decide(self) -> bool:
        return self.role in ("reviewer", "owner")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(engine: Engine, merchant_id: str, name: str, role: str | None = None) -> str:
    """A new API token for the reviewer (created with `role` if missing); shown once, stored hashed."""
    with session_scope(engine) as session:
        reviewer = session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id,
                                                       Reviewer.name == name)).first()
    if reviewer is None:
        if role is None:
            raise NotFound(f"{name} is not a reviewer of merchant {merchant_id}; add them first")
        add_reviewer(engine, merchant_id, name, role)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        row = session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id,
                                                  Reviewer.name == name)).one()
        row.token_hash = _hash(token)
        session.add(row)
    return token


def identify(engine: Engine, token: str | None) -> ReviewerIdentity | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    with session_scope(engine) as session:
        row = session.exec(select(Reviewer).where(Reviewer.token_hash == _hash(token))).first()
        return None if row is None else ReviewerIdentity(row.merchant_id, row.name, row.role)
