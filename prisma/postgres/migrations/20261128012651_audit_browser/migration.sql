-- DropIndex
DROP INDEX "AuditEvent_actorId_ts_idx";

-- DropIndex
DROP INDEX "AuditEvent_correlationId_idx";

-- DropIndex
DROP INDEX "AuditEvent_operation_ts_idx";

-- DropIndex
DROP INDEX "AuditEvent_targetType_targetId_idx";

-- CreateTable
CREATE TABLE "AuditRollup" (
    "bucket" TIMESTAMP(3) NOT NULL,
    "operation" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "AuditRollup_pkey" PRIMARY KEY ("bucket","operation","outcome","actorRole","targetType")
);

-- CreateTable
CREATE TABLE "AuditActorRollup" (
    "bucket" TIMESTAMP(3) NOT NULL,
    "actorId" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "denied" INTEGER NOT NULL,

    CONSTRAINT "AuditActorRollup_pkey" PRIMARY KEY ("bucket","actorId","actorRole")
);

-- CreateTable
CREATE TABLE "AuditRollupState" (
    "id" INTEGER NOT NULL,
    "throughSeq" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditRollupState_pkey" PRIMARY KEY ("id")
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

-- Full-text search over the free-text reason of audit events (hand-written; an
-- expression index is outside Prisma's schema model). Every run of characters
-- other than letters and digits becomes a space first, so the tokens are the
-- same as SQLite's unicode61 tokenizer and the app's query tokens ("INC-42" is
-- "inc" and "42", not a negative number). Queries must use the same expression
-- (lib/dal/audit-query.ts).
CREATE INDEX "AuditEvent_reason_fts_idx" ON "AuditEvent" USING GIN (to_tsvector('simple', regexp_replace(coalesce("reason", ''), '[^[:alnum:]]+', ' ', 'g')));
