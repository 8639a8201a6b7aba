"""ratings: an index on the rated item (every item page summarizes its item's ratings)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 14:15:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_rating_item_id", "rating", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_rating_item_id", table_name="rating")
