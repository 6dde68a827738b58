-- CreateTable
CREATE TABLE "WitnessKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "publicKey" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "registeredById" TEXT NOT NULL,
    "registeredAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "revokedById" TEXT
);

-- CreateTable
CREATE TABLE "CheckpointCosignature" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "checkpointSeq" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "witnessKeyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "ts" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CheckpointCosignature_checkpointSeq_fkey" FOREIGN KEY ("checkpointSeq") REFERENCES "AuditCheckpoint" ("seq") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "CheckpointCosignature_witnessKeyId_fkey" FOREIGN KEY ("witnessKeyId") REFERENCES "WitnessKey" ("id") ON DELETE RESTRICT ON UPDATE RESTRICT
);

-- CreateIndex
CREATE UNIQUE INDEX "WitnessKey_publicKey_key" ON "WitnessKey"("publicKey");

-- CreateIndex
CREATE INDEX "CheckpointCosignature_witnessKeyId_checkpointSeq_idx" ON "CheckpointCosignature"("witnessKeyId", "checkpointSeq");

-- CreateIndex
CREATE UNIQUE INDEX "CheckpointCosignature_checkpointSeq_witnessKeyId_key" ON "CheckpointCosignature"("checkpointSeq", "witnessKeyId");

-- Cosignatures are append-only like AuditCheckpoint (hand-written; triggers are
-- outside Prisma's schema model, so `migrate diff` and the drift check do not see them).
CREATE TRIGGER "CheckpointCosignature_no_update"
BEFORE UPDATE ON "CheckpointCosignature"
BEGIN
    SELECT RAISE(ABORT, 'checkpoint cosignatures are append-only');
END;

CREATE TRIGGER "CheckpointCosignature_no_delete"
BEFORE DELETE ON "CheckpointCosignature"
BEGIN
    SELECT RAISE(ABORT, 'checkpoint cosignatures are append-only');
END;

-- A witness key is never deleted, and the only change it accepts is its revocation,
-- once: revokedAt and revokedById go from null to a value; nothing else moves.
CREATE TRIGGER "WitnessKey_no_delete"
BEFORE DELETE ON "WitnessKey"
BEGIN
    SELECT RAISE(ABORT, 'witness keys are never deleted; revoke them');
END;

CREATE TRIGGER "WitnessKey_revoke_only"
BEFORE UPDATE ON "WitnessKey"
WHEN OLD."revokedAt" IS NOT NULL
  OR NEW."revokedAt" IS NULL
  OR NEW."revokedById" IS NULL
  OR NEW."id" IS NOT OLD."id"
  OR NEW."publicKey" IS NOT OLD."publicKey"
  OR NEW."name" IS NOT OLD."name"
  OR NEW."registeredById" IS NOT OLD."registeredById"
  OR NEW."registeredAt" IS NOT OLD."registeredAt"
BEGIN
    SELECT RAISE(ABORT, 'a witness key can only be revoked, once');
END;
