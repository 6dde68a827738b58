-- Make the audit trail append-only at the database level (hand-written).
-- Functions and triggers are outside Prisma's schema model: `migrate diff` and
-- the drift check do not see them, so they live only in this migration.

-- SQLSTATE WA001 is our own (classes starting with W are free for applications),
-- so callers can tell this refusal from any other error.
CREATE OR REPLACE FUNCTION "audit_event_append_only"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only'
        USING ERRCODE = 'WA001',
              DETAIL = format('%s on "AuditEvent" refused', TG_OP);
END;
$$;

CREATE TRIGGER "AuditEvent_no_update_delete"
BEFORE UPDATE OR DELETE ON "AuditEvent"
FOR EACH ROW EXECUTE FUNCTION "audit_event_append_only"();

CREATE TRIGGER "AuditEvent_no_truncate"
BEFORE TRUNCATE ON "AuditEvent"
FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_append_only"();

-- The single row every audit append updates first (a row lock held until the
-- transaction ends), which serializes appends.
INSERT INTO "AuditLock" ("id", "appends") VALUES (1, 0);
