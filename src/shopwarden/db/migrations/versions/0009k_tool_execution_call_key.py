"""tool_executions.call_key: how a cycle resumed after a crash finds the calls it already made

A worker killed while a cycle's `act` step runs leaves the step's checkpoint unwritten, so the
resumed cycle runs the step again; its mutating calls carry a key (run/agent/turn/index plus a
digest of tool and arguments) that the gate looks up before anything reaches the platform.
Chained into the row's hash when set; rows written before this revision keep NULL and hash as before.

Revision ID: 0009k
Revises: 0008c
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009k"
down_revision: str | None = "0008c"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tool_executions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True))
        batch_op.create_index("ix_tool_executions_call_key", ["merchant_id", "call_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tool_executions", schema=None) as batch_op:
        batch_op.drop_index("ix_tool_executions_call_key")
        batch_op.drop_column("call_key")
