"""console sessions (server-side, id stored hashed) and people with roles at several merchants

Revision ID: 0004w
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004w"
down_revision: str | None = "0004a"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reviewers") as batch:
        batch.add_column(sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_index("ix_reviewers_person_id", ["person_id"], unique=False)
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("merchant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("flash", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_console_sessions_person_id", "console_sessions", ["person_id"], unique=False)
    op.create_index("ix_console_sessions_expires_at", "console_sessions", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_console_sessions_expires_at", table_name="console_sessions")
    op.drop_index("ix_console_sessions_person_id", table_name="console_sessions")
    op.drop_table("console_sessions")
    with op.batch_alter_table("reviewers") as batch:
        batch.drop_index("ix_reviewers_person_id")
        batch.drop_column("person_id")
