"""tool_executions.rationale: the proposing agent's own reason, chained into the row's hash when set

Rows written before this revision keep NULL and hash exactly as before (see audit/chain.py).

Revision ID: 0007r
Revises: 0004m
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007r"
down_revision: str | None = "0004m"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tool_executions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rationale", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tool_executions", schema=None) as batch_op:
        batch_op.drop_column("rationale")
