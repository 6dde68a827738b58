-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "seq" INTEGER NOT NULL,
    "headHash" TEXT NOT NULL,
    "ts" TIMESTAMP(3) NOT NULL,
    "keyId" TEXT NOT NULL,
    "prev" TEXT,
    "digest" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_digest_key" ON "AuditCheckpoint"("digest");

-- Checkpoints are append-only like AuditEvent (hand-written; functions and
-- triggers are outside Prisma's schema model, so `migrate diff` and the drift
-- check do not see them). Same SQLSTATE WA001 as "audit_event_append_only".
CREATE OR REPLACE FUNCTION "audit_checkpoint_append_only"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit checkpoints are append-only'
        USING ERRCODE = 'WA001',
              DETAIL = format('%s on "AuditCheckpoint" refused', TG_OP);
END;
$$;

CREATE TRIGGER "AuditCheckpoint_no_update_delete"
BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
FOR EACH ROW EXECUTE FUNCTION "audit_checkpoint_append_only"();

CREATE TRIGGER "AuditCheckpoint_no_truncate"
BEFORE TRUNCATE ON "AuditCheckpoint"
FOR EACH STATEMENT EXECUTE FUNCTION "audit_checkpoint_append_only"();
