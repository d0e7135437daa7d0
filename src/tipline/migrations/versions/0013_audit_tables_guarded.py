"""every audit table guarded by triggers

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29

Issue 17: `events` was append-only, but `audit_head` and deletes from `pending_events` were
not guarded. Now, on both databases:

- `pending_events`: a row may be deleted only once an event with its content is in `events`
  (the appender inserts the events, then deletes their pending rows, in one transaction). The
  trigger cannot know which appender transaction is running, so it asks the one thing a
  legitimate delete always has: the chained event. Faking that means inserting an event, whose
  keyed hash nobody without the audit key can make, so `tipline audit verify` names it. Looked
  up by created_at (indexed here), actor, action and subject; `data` is left out because
  PostgreSQL's `json` has no equality, and the rest already pins the row. PostgreSQL also
  refuses TRUNCATE.
- `audit_head`: never deleted (nor truncated); an update may only raise seq, never change the
  hash without raising it, and must name an event that is in `events` (or the genesis).

On PostgreSQL the trigger functions name their tables with the schema they were made in: a
session could otherwise shadow `events` with a temporary table of its own (pg_temp is searched
first). None of this holds against a role that may switch triggers off (a superuser, the
tables' owner): `tipline serve` runs as a role that cannot (README, "Database").
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
PENDING_REFUSED = "pending events are deleted only as they are chained (DELETE refused)"
HEAD_REFUSED = "the audit head only moves forward, to a chained event"


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_created_at"), ["created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _postgres_triggers() -> None:
    bind = op.get_bind()
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    events = f"{bind.dialect.identifier_preparer.quote_schema(schema)}.events"
    op.execute(
        f"""
        CREATE FUNCTION tipline_pending_events_chained_only() RETURNS trigger AS $$
        BEGIN
            IF NOT EXISTS (
                SELECT 1 FROM {events} e
                WHERE e.created_at = OLD.created_at AND e.actor = OLD.actor
                  AND e.action = OLD.action AND e.subject_type = OLD.subject_type
                  AND e.subject_id = OLD.subject_id AND e.seq > 0
            ) THEN
                RAISE EXCEPTION '{PENDING_REFUSED}';
            END IF;
            RETURN OLD;
        END;
        $$ LANGUAGE plpgsql
        """  # noqa: S608 - constants of this file and the quoted schema name
    )
    op.execute(
        f"""
        CREATE FUNCTION tipline_audit_head_forward_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP <> 'UPDATE' THEN
                RAISE EXCEPTION '{HEAD_REFUSED} (% refused)', TG_OP;
            END IF;
            IF NEW.id <> OLD.id OR NEW.seq < OLD.seq
               OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)
               OR NOT (
                   (NEW.seq = 0 AND NEW.hash = '{GENESIS}')
                   OR EXISTS (SELECT 1 FROM {events} e WHERE e.seq = NEW.seq AND e.hash = NEW.hash)
               ) THEN
                RAISE EXCEPTION '{HEAD_REFUSED} (UPDATE from % to % refused)', OLD.seq, NEW.seq;
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """  # noqa: S608 - constants of this file and the quoted schema name
    )
    op.execute(
        "CREATE TRIGGER pending_events_chained_only BEFORE DELETE ON pending_events "
        "FOR EACH ROW EXECUTE FUNCTION tipline_pending_events_chained_only()"
    )
    op.execute(
        "CREATE TRIGGER pending_events_no_truncate BEFORE TRUNCATE ON pending_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION tipline_events_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head "
        "FOR EACH ROW EXECUTE FUNCTION tipline_audit_head_forward_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
        "FOR EACH STATEMENT EXECUTE FUNCTION tipline_audit_head_forward_only()"
    )


def _sqlite_triggers() -> None:
    # SQLite has no roles: anyone who can write the file can drop these. They keep the app
    # and its operators honest; against an attacker it is the keyed chain and its anchors.
    op.execute(
        "CREATE TRIGGER pending_events_chained_only BEFORE DELETE ON pending_events "  # noqa: S608 - constants only
        "WHEN NOT EXISTS (SELECT 1 FROM events e WHERE e.created_at = OLD.created_at "
        "AND e.actor = OLD.actor AND e.action = OLD.action "
        "AND e.subject_type = OLD.subject_type AND e.subject_id = OLD.subject_id AND e.seq > 0) "
        f"BEGIN SELECT RAISE(ABORT, '{PENDING_REFUSED}'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
        f"BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED} (DELETE refused)'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "  # noqa: S608 - constants only
        "WHEN NEW.id IS NOT OLD.id OR NEW.seq < OLD.seq "
        "OR (NEW.seq = OLD.seq AND NEW.hash IS NOT OLD.hash) "
        f"OR NOT ((NEW.seq = 0 AND NEW.hash = '{GENESIS}') "
        "OR EXISTS (SELECT 1 FROM events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash)) "
        f"BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED} (UPDATE refused)'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS pending_events_no_truncate ON pending_events")
        op.execute("DROP TRIGGER IF EXISTS pending_events_chained_only ON pending_events")
        op.execute("DROP FUNCTION IF EXISTS tipline_audit_head_forward_only()")
        op.execute("DROP FUNCTION IF EXISTS tipline_pending_events_chained_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_delete")
        op.execute("DROP TRIGGER IF EXISTS pending_events_chained_only")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_created_at"))
