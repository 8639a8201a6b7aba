"""lock-out per (account, client address) and per address instead of per account

An account-wide lock let anyone lock the portal office out by typing wrong passwords; failures are now rows
counted per (account, address) and per address.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 11:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "failed_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_login")),
    )
    with op.batch_alter_table("failed_login", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_failed_login_at"), ["at"], unique=False)
        batch_op.create_index("ix_failed_login_client_at", ["client", "at"], unique=False)
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_table("failed_login")
