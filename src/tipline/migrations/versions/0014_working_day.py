"""the analyst's working day: queue clocks and sorts, people's names and zones, supplements

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

Issue 20 (and 21: the notice directory's checked facts, in notice_platforms.facts). People get the child's school and the reporter's preferred way to be reached. Reports get `due_at` (arrival plus the tier's target time), `last_activity_at`,
`info_added_at` and `seen_at`, with a partial index on the open reports for each sort of the
queue. Users get a display name and a time zone; referrals record who had the report claimed;
`referral_supplements` holds what is added to a referral after it went out.

Existing reports are back-filled: due at arrival plus the target of their stored tier (the
targets as they were when this was written; later changes to the targets apply to new
reports), last active at their latest recorded moment.
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import tipline.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('received', 'triaged')")
TARGET_HOURS = {1: 1, 2: 4, 3: 24, 4: 72}


def upgrade() -> None:
    for name in ("due_at", "last_activity_at", "info_added_at", "seen_at"):
        op.add_column(
            "reports", sa.Column(name, tipline.db.UTCDateTime(timezone=True), nullable=True)
        )
    for name, column in (
        ("ix_reports_queue_due", "due_at"),
        ("ix_reports_queue_age", "received_at"),
        ("ix_reports_queue_activity", "last_activity_at"),
    ):
        op.create_index(
            name, "reports", [column], postgresql_where=OPEN, sqlite_where=OPEN, unique=False
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("display_name", sa.String(length=120), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC")
        )
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("notice_platforms") as batch:
        batch.add_column(sa.Column("facts", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("school", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("preferred_contact", sa.String(length=16), nullable=True))
    op.create_table(
        "referral_supplements",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("referral_id", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=True),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", tipline.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_supplements_referral_id_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_referral_supplements_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_supplements")),
    )
    op.create_index(
        op.f("ix_referral_supplements_referral_id"), "referral_supplements", ["referral_id"]
    )
    op.create_index(
        op.f("ix_referral_supplements_report_id"), "referral_supplements", ["report_id"]
    )
    _backfill()


def _backfill() -> None:
    # In Python, not SQL: interval arithmetic is written differently on the two databases.
    bind = op.get_bind()
    reports = sa.table(
        "reports",
        sa.column("id", sa.String),
        sa.column("priority_tier", sa.SmallInteger),
        sa.column("received_at", tipline.db.UTCDateTime(timezone=True)),
        sa.column("triaged_at", tipline.db.UTCDateTime(timezone=True)),
        sa.column("referred_at", tipline.db.UTCDateTime(timezone=True)),
        sa.column("closed_at", tipline.db.UTCDateTime(timezone=True)),
        sa.column("claimed_at", tipline.db.UTCDateTime(timezone=True)),
        sa.column("due_at", tipline.db.UTCDateTime(timezone=True)),
        sa.column("last_activity_at", tipline.db.UTCDateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(
            reports.c.id,
            reports.c.priority_tier,
            reports.c.received_at,
            reports.c.triaged_at,
            reports.c.referred_at,
            reports.c.closed_at,
            reports.c.claimed_at,
        )
    ).all()
    updates = []
    for row in rows:
        moments = [m for m in row[2:] if m is not None]
        updates.append(
            {
                "rid": row.id,
                "due": row.received_at + timedelta(hours=TARGET_HOURS.get(row.priority_tier, 72)),
                "active": max(moments),
            }
        )
    if updates:
        bind.execute(
            reports.update()
            .where(reports.c.id == sa.bindparam("rid"))
            .values(due_at=sa.bindparam("due"), last_activity_at=sa.bindparam("active")),
            updates,
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_referral_supplements_report_id"), table_name="referral_supplements")
    op.drop_index(op.f("ix_referral_supplements_referral_id"), table_name="referral_supplements")
    op.drop_table("referral_supplements")
    with op.batch_alter_table("notice_platforms") as batch:
        batch.drop_column("facts")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("preferred_contact")
        batch.drop_column("school")
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("claimed_by")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("display_name")
    for name in ("ix_reports_queue_activity", "ix_reports_queue_age", "ix_reports_queue_due"):
        op.drop_index(name, table_name="reports")
    for name in ("seen_at", "info_added_at", "last_activity_at", "due_at"):
        op.drop_column("reports", name)
