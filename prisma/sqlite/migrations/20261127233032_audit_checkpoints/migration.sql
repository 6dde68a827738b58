-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "headHash" TEXT NOT NULL,
    "ts" DATETIME NOT NULL,
    "keyId" TEXT NOT NULL,
    "prev" TEXT,
    "digest" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_digest_key" ON "AuditCheckpoint"("digest");

-- Checkpoints are append-only like AuditEvent (hand-written; triggers are outside
-- Prisma's schema model, so `migrate diff` and the drift check do not see them).
CREATE TRIGGER "AuditCheckpoint_no_update"
BEFORE UPDATE ON "AuditCheckpoint"
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;

CREATE TRIGGER "AuditCheckpoint_no_delete"
BEFORE DELETE ON "AuditCheckpoint"
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
