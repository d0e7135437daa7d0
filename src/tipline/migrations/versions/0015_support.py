"""the support desk: requests for support, advocates' log, services, referrals, peers

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

Issue 22. New tables only; nothing existing changes. The national services are loaded by
`tipline init` (support.directory.ensure_national), not here, so an update to the shipped file
reaches an installation with `tipline support load-services`.
"""

import sqlalchemy as sa
from alembic import op

import tipline.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_services",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("name_es", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_es", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("sms", sa.String(length=32), nullable=True),
        sa.Column("sms_keyword", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("hours", sa.String(length=200), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=True),
        sa.Column("ages", sa.String(length=60), nullable=False),
        sa.Column("checked", sa.Date(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("source_kind", sa.String(length=12), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_services")),
        sa.UniqueConstraint("slug", name=op.f("uq_support_services_slug")),
    )
    with op.batch_alter_table("support_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_services_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_services_region"), ["region"], unique=False)

    op.create_table(
        "peer_profiles",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("first_name", sa.String(length=60), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("experiences", sa.JSON(), nullable=False),
        sa.Column("trained_on", sa.Date(), nullable=True),
        sa.Column("vetted_until", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_peer_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_peer_profiles")),
    )
    op.create_table(
        "support_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=True),
        sa.Column("who", sa.String(length=16), nullable=False),
        sa.Column("asker", sa.String(length=16), nullable=False),
        sa.Column("call_me", sa.String(length=60), nullable=False),
        sa.Column("child_age", sa.SmallInteger(), nullable=True),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("safe_times", sa.String(length=200), nullable=False),
        sa.Column("no_voicemail", sa.Boolean(), nullable=False),
        sa.Column("shared_phone", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("urgency", sa.SmallInteger(), nullable=False),
        sa.Column("self_harm", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", tipline.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_check_in_at", tipline.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("check_in_due", sa.Boolean(), nullable=False),
        sa.Column("last_activity_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", tipline.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=32), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimed_by"], ["users.id"], name=op.f("fk_support_requests_claimed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_support_requests_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_requests")),
        sa.UniqueConstraint("number", name=op.f("uq_support_requests_number")),
    )
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_queue",
            ["urgency", "created_at"],
            unique=False,
            postgresql_where=sa.text("status IN ('new', 'active')"),
            sqlite_where=sa.text("status IN ('new', 'active')"),
        )
        batch_op.create_index(
            batch_op.f("ix_support_requests_next_check_in_at"), ["next_check_in_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_requests_report_id"), ["report_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_support_requests_status"), ["status"], unique=False)

    op.create_table(
        "peer_matches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("peer_id", sa.String(length=32), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("family_consent_at", tipline.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("peer_consent_at", tipline.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("ended_by", sa.String(length=12), nullable=False),
        sa.Column("ended_at", tipline.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("why", sa.String(length=300), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["users.id"], name=op.f("fk_peer_matches_peer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["support_requests.id"],
            name=op.f("fk_peer_matches_request_id_support_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_matches")),
    )
    with op.batch_alter_table("peer_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_peer_matches_peer_id"), ["peer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_peer_matches_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "support_log",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["support_requests.id"],
            name=op.f("fk_support_log_request_id_support_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_log")),
    )
    with op.batch_alter_table("support_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_log_request_id"), ["request_id"], unique=False)

    op.create_table(
        "support_referrals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("service_id", sa.String(length=32), nullable=False),
        sa.Column("consent_by", sa.String(length=16), nullable=False),
        sa.Column("consent_how", sa.String(length=8), nullable=False),
        sa.Column("consent_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(length=64), nullable=False),
        sa.Column("made_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("for_family", sa.String(length=500), nullable=False),
        sa.Column("updated_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["support_requests.id"],
            name=op.f("fk_support_referrals_request_id_support_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["support_services.id"],
            name=op.f("fk_support_referrals_service_id_support_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_referrals")),
    )
    with op.batch_alter_table("support_referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_referrals_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "relay_messages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("match_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", tipline.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"], ["peer_matches.id"], name=op.f("fk_relay_messages_match_id_peer_matches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_messages")),
    )
    with op.batch_alter_table("relay_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relay_messages_match_id"), ["match_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_relay_messages_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("relay_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relay_messages_sent_at"))
        batch_op.drop_index(batch_op.f("ix_relay_messages_match_id"))

    op.drop_table("relay_messages")
    with op.batch_alter_table("support_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_referrals_request_id"))

    op.drop_table("support_referrals")
    with op.batch_alter_table("support_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_log_request_id"))

    op.drop_table("support_log")
    with op.batch_alter_table("peer_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_matches_request_id"))
        batch_op.drop_index(batch_op.f("ix_peer_matches_peer_id"))

    op.drop_table("peer_matches")
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_requests_status"))
        batch_op.drop_index(batch_op.f("ix_support_requests_report_id"))
        batch_op.drop_index(batch_op.f("ix_support_requests_next_check_in_at"))
        batch_op.drop_index(
            "ix_support_queue",
            postgresql_where=sa.text("status IN ('new', 'active')"),
            sqlite_where=sa.text("status IN ('new', 'active')"),
        )

    op.drop_table("support_requests")
    op.drop_table("peer_profiles")
    with op.batch_alter_table("support_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_services_region"))
        batch_op.drop_index(batch_op.f("ix_support_services_kind"))

    op.drop_table("support_services")
