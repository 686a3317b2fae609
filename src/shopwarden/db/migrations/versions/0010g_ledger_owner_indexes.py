"""Indexes for the gate's read pass: who else holds an object id, and an ad account's changes of the day

Tenancy asks whether any *other* merchant's budget ledger or performance cache names the object a
call addresses (`object_id = ? AND merchant_id != ?`): without an index leading with object_id,
both tables were scanned in full on every campaign / ad group call, a cost that grew with every
merchant's history. The account-wide budget increase of the day filtered on (merchant_id, day,
advertiser_id) through an index that only served merchant_id, reading the merchant's whole ledger.

Revision ID: 0010g
Revises: 0009k
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010g"
down_revision: str | None = "0009k"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_budget_ledger_object_owner", "budget_ledger", ["object_id", "merchant_id"])
    op.create_index("ix_budget_ledger_account_day", "budget_ledger", ["merchant_id", "advertiser_id", "day", "object_type", "object_id"])
    op.create_index("ix_cached_performance_object_owner", "cached_performance", ["object_id", "merchant_id"])


def downgrade() -> None:
    op.drop_index("ix_cached_performance_object_owner", table_name="cached_performance")
    op.drop_index("ix_budget_ledger_account_day", table_name="budget_ledger")
    op.drop_index("ix_budget_ledger_object_owner", table_name="budget_ledger")
