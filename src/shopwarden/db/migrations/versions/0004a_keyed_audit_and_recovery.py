"""keyed audit chain (audit key id per row); recovery leases on approvals

Recovery of an interrupted execution takes a lease on the approval (owner and expiry) so two
processes never settle the same approval; an expired lease can be taken over.

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


def downgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")
    with op.batch_alter_table("tool_executions") as batch:
        batch.drop_index("ix_tool_executions_approval_id")
        batch.drop_column("key_id")
