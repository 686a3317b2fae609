"""The words shopwarden's packages share, declared once.

The enums are for code (`approval.status == ApprovalStatus.PENDING`; a `StrEnum` member is the plain
string, so rows, JSON and policy input are unchanged). The `...Literal` types spell the same values for
pydantic and typer fields, where a `Literal` keeps the JSON schema the chat model sees and the
validation messages as they are; tests/domain/test_vocabulary.py keeps each pair in step.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Autonomy(StrEnum):
    """How far a merchant lets the agents act (policies/README.md)."""

    OBSERVE = "observe"  # read and recommend only
    SUGGEST = "suggest"  # every change waits for a reviewer (new merchants start here)
    GUARDED = "guarded"  # changes within the limits run; others wait for a reviewer or are refused


class ApprovalStatus(StrEnum):
    """The approval queue's states (approvals/queue.py draws the machine)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    EXECUTING = "executing"
    EXECUTED = "executed"
    FAILED = "failed"


class BudgetMode(StrEnum):
    """TikTok Ads budget modes."""

    DAY = "BUDGET_MODE_DAY"
    TOTAL = "BUDGET_MODE_TOTAL"
    INFINITE = "BUDGET_MODE_INFINITE"
    DYNAMIC_DAILY_BUDGET = "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"


class ObjectType(StrEnum):
    """The TikTok Ads objects manual reports are read for."""

    CAMPAIGN = "campaign"
    ADGROUP = "adgroup"


class ControlledObject(StrEnum):
    """What budget, pause and enable act on: manual campaigns and ad groups, and GMV Max campaigns."""

    CAMPAIGN = "campaign"
    ADGROUP = "adgroup"
    GMV_MAX_CAMPAIGN = "gmv_max_campaign"


AutonomyLiteral = Literal["observe", "suggest", "guarded"]
BudgetModeLiteral = Literal["BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL", "BUDGET_MODE_INFINITE",
                            "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"]
ObjectTypeLiteral = Literal["campaign", "adgroup"]
ControlledObjectLiteral = Literal["campaign", "adgroup", "gmv_max_campaign"]
