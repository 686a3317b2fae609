"""MCP clients: outside agents registered per merchant (allowlist, limits, hashed bearer token)

Revision ID: 0004m
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004m"
down_revision: str | None = "0004w"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mcp_clients",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("merchant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("tools", sa.JSON(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("calls_per_minute", sa.Integer(), nullable=False),
        sa.Column("daily_calls", sa.Integer(), nullable=False),
        sa.Column("max_arg_bytes", sa.Integer(), nullable=False),
        sa.Column("calls_day", sa.Date(), nullable=True),
        sa.Column("calls_today", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("merchant_id", "name"),
    )
    with op.batch_alter_table("mcp_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mcp_clients_merchant_id"), ["merchant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mcp_clients_token_hash"), ["token_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("mcp_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mcp_clients_token_hash"))
        batch_op.drop_index(batch_op.f("ix_mcp_clients_merchant_id"))
    op.drop_table("mcp_clients")
