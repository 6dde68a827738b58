-- Make the audit trail append-only at the database level (hand-written).
-- Triggers are outside Prisma's schema model: `migrate diff` and the drift check
-- do not see them, so they live only in this migration.

-- RAISE(ABORT) undoes the statement and fails it with SQLITE_CONSTRAINT_TRIGGER.
CREATE TRIGGER "AuditEvent_no_update"
BEFORE UPDATE ON "AuditEvent"
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER "AuditEvent_no_delete"
BEFORE DELETE ON "AuditEvent"
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- The single row every audit append updates first: that write takes SQLite's
-- writer lock before the chain head is read, which serializes appends.
INSERT INTO "AuditLock" ("id", "appends") VALUES (1, 0);
