"""The shared vocabulary: each `...Literal` field type spells exactly its enum's values, and an enum
member is the plain string wherever it is stored or sent."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import get_args

import pytest
from sqlmodel import select

from shopwarden.approvals.queue import create_approval
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval
from shopwarden.domain.vocabulary import (
    ApprovalStatus,
    Autonomy,
    AutonomyLiteral,
    BudgetMode,
    BudgetModeLiteral,
    ObjectType,
    ObjectTypeLiteral,
)


@pytest.mark.parametrize(("enum", "literal"), [(Autonomy, AutonomyLiteral), (BudgetMode, BudgetModeLiteral),
                                               (ObjectType, ObjectTypeLiteral)])
def test_each_literal_spells_its_enums_values_in_order(enum: type[StrEnum], literal: object) -> None:
    assert get_args(literal) == tuple(member.value for member in enum)


def test_the_approval_states_are_the_ones_the_queue_draws() -> None:
    assert [s.value for s in ApprovalStatus] == [
        "pending", "approved", "rejected", "expired", "executing", "executed", "failed"]


def test_a_member_is_its_plain_string_in_json_and_comparisons() -> None:
    assert json.dumps({"status": ApprovalStatus.PENDING}) == '{"status": "pending"}'
    assert ApprovalStatus.PENDING == "pending" and f"{Autonomy.GUARDED}" == "guarded"


def test_a_stored_status_reads_back_as_the_plain_string(engine, merchant) -> None:
    with session_scope(engine) as session:
        create_approval(session, merchant_id=merchant.id, run_id="r1", agent_id="growth", tool="pause_ads",
                        args={}, rationale="", requested_by="growth", reasons=[], reason_codes=[],
                        policy_version="v1")
    with session_scope(engine) as session:
        stored = session.exec(select(Approval)).one()
        assert type(stored.status) is str and stored.status == ApprovalStatus.PENDING
