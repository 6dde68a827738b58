-- CreateTable
CREATE TABLE "WitnessKey" (
    "id" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "registeredById" TEXT NOT NULL,
    "registeredAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,

    CONSTRAINT "WitnessKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckpointCosignature" (
    "id" TEXT NOT NULL,
    "checkpointSeq" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "witnessKeyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "ts" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CheckpointCosignature_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WitnessKey_publicKey_key" ON "WitnessKey"("publicKey");

-- CreateIndex
CREATE INDEX "CheckpointCosignature_witnessKeyId_checkpointSeq_idx" ON "CheckpointCosignature"("witnessKeyId", "checkpointSeq");

-- CreateIndex
CREATE UNIQUE INDEX "CheckpointCosignature_checkpointSeq_witnessKeyId_key" ON "CheckpointCosignature"("checkpointSeq", "witnessKeyId");

-- AddForeignKey
ALTER TABLE "CheckpointCosignature" ADD CONSTRAINT "CheckpointCosignature_checkpointSeq_fkey" FOREIGN KEY ("checkpointSeq") REFERENCES "AuditCheckpoint"("seq") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "CheckpointCosignature" ADD CONSTRAINT "CheckpointCosignature_witnessKeyId_fkey" FOREIGN KEY ("witnessKeyId") REFERENCES "WitnessKey"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- Cosignatures are append-only like AuditCheckpoint (hand-written; functions and
-- triggers are outside Prisma's schema model, so `migrate diff` and the drift
-- check do not see them). Same SQLSTATE WA001 as "audit_event_append_only".
CREATE OR REPLACE FUNCTION "checkpoint_cosignature_append_only"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'checkpoint cosignatures are append-only'
        USING ERRCODE = 'WA001',
              DETAIL = format('%s on "CheckpointCosignature" refused', TG_OP);
END;
$$;

CREATE TRIGGER "CheckpointCosignature_no_update_delete"
BEFORE UPDATE OR DELETE ON "CheckpointCosignature"
FOR EACH ROW EXECUTE FUNCTION "checkpoint_cosignature_append_only"();

CREATE TRIGGER "CheckpointCosignature_no_truncate"
BEFORE TRUNCATE ON "CheckpointCosignature"
FOR EACH STATEMENT EXECUTE FUNCTION "checkpoint_cosignature_append_only"();

-- A witness key is never deleted, and the only change it accepts is its revocation,
-- once: revokedAt and revokedById go from null to a value; nothing else moves.
CREATE OR REPLACE FUNCTION "witness_key_revoke_only"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD."revokedAt" IS NULL
       AND NEW."revokedAt" IS NOT NULL
       AND NEW."revokedById" IS NOT NULL
       AND NEW."id" = OLD."id"
       AND NEW."publicKey" = OLD."publicKey"
       AND NEW."name" = OLD."name"
       AND NEW."registeredById" = OLD."registeredById"
       AND NEW."registeredAt" = OLD."registeredAt" THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'witness keys are never deleted, and can only be revoked, once'
        USING ERRCODE = 'WA001',
              DETAIL = format('%s on "WitnessKey" refused', TG_OP);
END;
$$;

CREATE TRIGGER "WitnessKey_revoke_only"
BEFORE UPDATE OR DELETE ON "WitnessKey"
FOR EACH ROW EXECUTE FUNCTION "witness_key_revoke_only"();

CREATE TRIGGER "WitnessKey_no_truncate"
BEFORE TRUNCATE ON "WitnessKey"
FOR EACH STATEMENT EXECUTE FUNCTION "checkpoint_cosignature_append_only"();
