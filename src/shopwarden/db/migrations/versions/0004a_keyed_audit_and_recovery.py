"""keyed audit chain (audit key id per row); recovery leases on approvals; inventory ledger

Recovery of an interrupted execution takes a lease on the approval (owner and expiry) so two
processes never settle the same approval; an expired lease can be taken over. The inventory
ledger records applied stock changes so the approval threshold is cumulative per SKU per day.

Rows written before this revision keep key_id NULL: they were chained with plain SHA-256,
which anyone who can write the database can recompute. `shopwarden audit verify` reports them
until `shopwarden audit rekey` has checked them and re-chained them under the audit key.

Revision ID: 0004a
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004a"
down_revision: str | None = "0003"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tool_executions") as batch:
        batch.add_column(sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.create_index("ix_tool_executions_approval_id", ["approval_id"], unique=False)
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "inventory_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("product_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sku_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("warehouse_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_of_day_quantity", sa.BigInteger(), nullable=False),
        sa.Column("quantity_before", sa.BigInteger(), nullable=False),
        sa.Column("quantity_after", sa.BigInteger(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("execution_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inventory_ledger_merchant_id", "inventory_ledger", ["merchant_id"], unique=False)
    op.create_index("ix_inventory_ledger_sku_day", "inventory_ledger", ["merchant_id", "sku_id", "warehouse_id", "day"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_inventory_ledger_sku_day", table_name="inventory_ledger")
    op.drop_index("ix_inventory_ledger_merchant_id", table_name="inventory_ledger")
    op.drop_table("inventory_ledger")
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")
    with op.batch_alter_table("tool_executions") as batch:
        batch.drop_index("ix_tool_executions_approval_id")
        batch.drop_column("key_id")
