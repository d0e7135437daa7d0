"""audit head row exists from the start

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Appends to the audit log lock the head row (SELECT ... FOR UPDATE) instead of a PostgreSQL
advisory lock: one lock for both databases, taken as late as possible in a transaction. For that
the row must exist before the first event, with seq 0 and the genesis hash.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO audit_head (id, seq, hash) "
            "SELECT 1, 0, :genesis WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1)"
        ).bindparams(genesis=GENESIS)
    )


def downgrade() -> None:
    op.execute("DELETE FROM audit_head WHERE id = 1 AND seq = 0")
