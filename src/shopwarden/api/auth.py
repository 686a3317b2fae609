"""Who is asking: reviewer tokens (stored only as sha256), people and their roles per merchant.

A person is every `reviewers` row that shares a `person_id`: one person may be an owner at one
merchant and a viewer at another. A token belongs to one row and signs its person in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from shopwarden.approvals.queue import add_reviewer
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant, Reviewer
from shopwarden.errors import NotFound

TOKEN_PREFIX = "swr_"
TOKEN_MAX_CHARS = 200  # a real token is 47 characters; anything far longer is not one


@dataclass(frozen=True)
class ReviewerIdentity:
    """One person acting at one merchant with one role."""

    merchant_id: str
    name: str
    role: str
    person_id: str = ""
    merchant_name: str = ""

    @property
    def may_decide(self) -> bool:
        return self.role in ("reviewer", "owner")

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def token_hash(token: str) -> str:
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
        row.token_hash = token_hash(token)
        row.person_id = row.person_id or secrets.token_hex(16)
        session.add(row)
    return token


def grant_role(engine: Engine, person_id: str, merchant_id: str, name: str, role: str) -> None:
    """Give an existing person a role at another merchant (same sign-in, switchable in the console)."""
    add_reviewer(engine, merchant_id, name, role)
    with session_scope(engine) as session:
        row = session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id,
                                                  Reviewer.name == name)).one()
        row.person_id = person_id
        session.add(row)


def _reviewer_of(session: Session, token: str | None) -> Reviewer | None:
    """The reviewer row a well-formed token belongs to (anything else is looked up nowhere)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX_CHARS:
        return None
    return session.exec(select(Reviewer).where(Reviewer.token_hash == token_hash(token))).first()


def person_of_token(engine: Engine, token: str | None) -> str | None:
    """The person a token signs in, or None."""
    with session_scope(engine) as session:
        row = _reviewer_of(session, token)
        if row is None:
            return None
        if row.person_id is None:  # a token issued before people existed
            row.person_id = secrets.token_hex(16)
            session.add(row)
        return row.person_id


def memberships(engine: Engine, person_id: str) -> list[ReviewerIdentity]:
    """Every merchant the person has a role at, by merchant id."""
    with session_scope(engine) as session:
        rows = session.exec(select(Reviewer, Merchant).join(Merchant, col(Merchant.id) == Reviewer.merchant_id)
                            .where(Reviewer.person_id == person_id).order_by(Reviewer.merchant_id)).all()
        return [ReviewerIdentity(r.merchant_id, r.name, r.role, person_id, m.name or m.id) for r, m in rows]


def identify(engine: Engine, token: str | None) -> ReviewerIdentity | None:
    """The reviewer row a bearer token belongs to (the JSON API acts at that row's merchant)."""
    with session_scope(engine) as session:
        row = _reviewer_of(session, token)
        if row is None:
            return None
        merchant = session.get(Merchant, row.merchant_id)
        return ReviewerIdentity(row.merchant_id, row.name, row.role, row.person_id or "",
                                (merchant.name if merchant else "") or row.merchant_id)
