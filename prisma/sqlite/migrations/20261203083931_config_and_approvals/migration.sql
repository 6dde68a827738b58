-- CreateTable
CREATE TABLE "ConfigEntry" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "tier" TEXT NOT NULL,
    "value" TEXT,
    "secretEnc" TEXT,
    "fingerprint" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,
    "updatedById" TEXT
);

-- CreateTable
CREATE TABLE "ConfigRevision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "tier" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    "beforeFingerprint" TEXT,
    "afterFingerprint" TEXT,
    "beforeDefault" BOOLEAN NOT NULL,
    "afterDefault" BOOLEAN NOT NULL,
    "rollbackOfId" TEXT,
    "changeSetId" TEXT NOT NULL,
    "approvalId" TEXT,
    "authorId" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ConfigChangeSet" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "authorId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "tier" TEXT,
    "digest" TEXT,
    "approvalId" TEXT,
    "reason" TEXT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "submittedAt" DATETIME,
    "appliedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ConfigChangeItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "changeSetId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT,
    "secretEnc" TEXT,
    "fingerprint" TEXT,
    "baseVersion" INTEGER NOT NULL,
    "rollbackOfId" TEXT,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "ConfigChangeItem_changeSetId_fkey" FOREIGN KEY ("changeSetId") REFERENCES "ConfigChangeSet" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operation" TEXT NOT NULL,
    "input" TEXT NOT NULL,
    "baseline" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "requesterId" TEXT NOT NULL,
    "requesterRole" TEXT NOT NULL,
    "requesterSessionId" TEXT NOT NULL,
    "beneficiaryId" TEXT,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "reason" TEXT,
    "ticketRef" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "decidedAt" DATETIME,
    "approverId" TEXT,
    "approverSessionId" TEXT,
    "decisionNote" TEXT,
    "executedAt" DATETIME,
    "requestSeq" INTEGER,
    "decisionSeq" INTEGER,
    "executionSeq" INTEGER,
    "failureReason" TEXT,
    "consumedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "ConfigRevision_createdAt_idx" ON "ConfigRevision"("createdAt");

-- CreateIndex
CREATE INDEX "ConfigRevision_changeSetId_idx" ON "ConfigRevision"("changeSetId");

-- CreateIndex
CREATE UNIQUE INDEX "ConfigRevision_key_version_key" ON "ConfigRevision"("key", "version");

-- CreateIndex
CREATE INDEX "ConfigChangeSet_authorId_status_idx" ON "ConfigChangeSet"("authorId", "status");

-- CreateIndex
CREATE INDEX "ConfigChangeSet_status_idx" ON "ConfigChangeSet"("status");

-- CreateIndex
CREATE UNIQUE INDEX "ConfigChangeItem_changeSetId_key_key" ON "ConfigChangeItem"("changeSetId", "key");

-- CreateIndex
CREATE INDEX "ApprovalRequest_status_createdAt_idx" ON "ApprovalRequest"("status", "createdAt");

-- CreateIndex
CREATE INDEX "ApprovalRequest_requesterId_createdAt_idx" ON "ApprovalRequest"("requesterId", "createdAt");

-- CreateIndex
CREATE INDEX "ApprovalRequest_targetType_targetId_idx" ON "ApprovalRequest"("targetType", "targetId");

-- Configuration history is append-only: a revision, once written, is the record
-- of what was changed, by whom and why (hand-written).
CREATE TRIGGER "ConfigRevision_no_update" BEFORE UPDATE ON "ConfigRevision"
BEGIN
    SELECT RAISE(ABORT, 'ConfigRevision is append-only');
END;
CREATE TRIGGER "ConfigRevision_no_delete" BEFORE DELETE ON "ConfigRevision"
BEGIN
    SELECT RAISE(ABORT, 'ConfigRevision is append-only');
END;
