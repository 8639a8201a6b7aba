"""item counts read from indexes: audience with status

CountItems counted each audience by reading every item row (the guide makes rows wide: ~100 MB for 7,200 items),
which the catalog redid after every write. With (audience, status) the counts come from the index alone.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 14:55:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.create_index("ix_item_audience_status", ["audience", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.drop_index("ix_item_audience_status")
