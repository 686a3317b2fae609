"""reviewer API tokens (stored as sha256 hashes only)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reviewers") as batch:
        batch.add_column(sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_index("ix_reviewers_token_hash", ["token_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reviewers") as batch:
        batch.drop_index("ix_reviewers_token_hash")
        batch.drop_column("token_hash")
