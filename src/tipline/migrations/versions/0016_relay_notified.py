"""relayed messages remember when their reader was told of them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

Issue 22: a family who chose email, and a peer, are told by email that a message is waiting
(never what it says). `notified_at` marks the messages an email has covered, so that each
message is announced at most once. Messages already stored count as announced: nobody is sent
an email about old news when this runs.
"""

import sqlalchemy as sa
from alembic import op

import tipline.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "relay_messages",
        sa.Column("notified_at", tipline.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.execute(sa.text("UPDATE relay_messages SET notified_at = sent_at"))
    op.create_index(
        "ix_relay_messages_unnotified",
        "relay_messages",
        ["sent_at"],
        postgresql_where=sa.text("notified_at IS NULL"),
        sqlite_where=sa.text("notified_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_relay_messages_unnotified", table_name="relay_messages")
    op.drop_column("relay_messages", "notified_at")
