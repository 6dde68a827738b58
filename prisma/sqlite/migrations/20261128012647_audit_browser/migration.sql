-- DropIndex
DROP INDEX "AuditEvent_correlationId_idx";

-- DropIndex
DROP INDEX "AuditEvent_targetType_targetId_idx";

-- DropIndex
DROP INDEX "AuditEvent_operation_ts_idx";

-- DropIndex
DROP INDEX "AuditEvent_actorId_ts_idx";

-- CreateTable
CREATE TABLE "AuditRollup" (
    "bucket" DATETIME NOT NULL,
    "operation" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("bucket", "operation", "outcome", "actorRole", "targetType")
);

-- CreateTable
CREATE TABLE "AuditActorRollup" (
    "bucket" DATETIME NOT NULL,
    "actorId" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "denied" INTEGER NOT NULL,

    PRIMARY KEY ("bucket", "actorId", "actorRole")
);

-- CreateTable
CREATE TABLE "AuditRollupState" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "throughSeq" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_seq_idx" ON "AuditEvent"("actorId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_actorRole_seq_idx" ON "AuditEvent"("actorRole", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_operation_seq_idx" ON "AuditEvent"("operation", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_outcome_seq_idx" ON "AuditEvent"("outcome", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_ip_seq_idx" ON "AuditEvent"("ip", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_targetType_targetId_seq_idx" ON "AuditEvent"("targetType", "targetId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_correlationId_seq_idx" ON "AuditEvent"("correlationId", "seq");

-- Full-text search over the free-text reason of audit events (hand-written;
-- virtual tables are outside Prisma's schema model). Contentless: the FTS index
-- holds only tokens and the event's seq as rowid; the text stays in AuditEvent,
-- which remains the only evidence. Filled by a trigger on insert (events are
-- never updated or deleted, so insert is the only change to follow).
CREATE VIRTUAL TABLE "AuditReasonFts" USING fts5("reason", content='', tokenize='unicode61 remove_diacritics 2');

CREATE TRIGGER "AuditEvent_reason_fts"
AFTER INSERT ON "AuditEvent"
FOR EACH ROW WHEN NEW."reason" IS NOT NULL
BEGIN
    INSERT INTO "AuditReasonFts" ("rowid", "reason") VALUES (NEW."seq", NEW."reason");
END;

INSERT INTO "AuditReasonFts" ("rowid", "reason") SELECT "seq", "reason" FROM "AuditEvent" WHERE "reason" IS NOT NULL;
