"""MCP clients: their own stricter policy limits and autonomy, and a shared per-minute call counter

Revision ID: 0008c
Revises: 0007r
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008c"
down_revision: str | None = "0007r"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mcp_clients") as batch:
        batch.add_column(sa.Column("policy_limits", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch.add_column(sa.Column("max_autonomy", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch.add_column(sa.Column("minute_started_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("calls_this_minute", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("mcp_clients") as batch:
        batch.drop_column("calls_this_minute")
        batch.drop_column("minute_started_ms")
        batch.drop_column("max_autonomy")
        batch.drop_column("policy_limits")
