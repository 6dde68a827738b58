-- CreateTable
CREATE TABLE "ConfigEntry" (
    "key" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "value" TEXT,
    "secretEnc" TEXT,
    "fingerprint" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedById" TEXT,

    CONSTRAINT "ConfigEntry_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ConfigRevision" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConfigRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConfigChangeSet" (
    "id" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "tier" TEXT,
    "digest" TEXT,
    "approvalId" TEXT,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "submittedAt" TIMESTAMP(3),
    "appliedAt" TIMESTAMP(3),

    CONSTRAINT "ConfigChangeSet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConfigChangeItem" (
    "id" TEXT NOT NULL,
    "changeSetId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT,
    "secretEnc" TEXT,
    "fingerprint" TEXT,
    "baseVersion" INTEGER NOT NULL,
    "rollbackOfId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConfigChangeItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "approverId" TEXT,
    "approverSessionId" TEXT,
    "decisionNote" TEXT,
    "executedAt" TIMESTAMP(3),
    "requestSeq" INTEGER,
    "decisionSeq" INTEGER,
    "executionSeq" INTEGER,
    "failureReason" TEXT,
    "consumedAt" TIMESTAMP(3),

    CONSTRAINT "ApprovalRequest_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "ConfigChangeItem" ADD CONSTRAINT "ConfigChangeItem_changeSetId_fkey" FOREIGN KEY ("changeSetId") REFERENCES "ConfigChangeSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Configuration history is append-only: a revision, once written, is the record
-- of what was changed, by whom and why (hand-written).
CREATE OR REPLACE FUNCTION "config_revision_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ConfigRevision is append-only';
END;
$$;
CREATE TRIGGER "ConfigRevision_no_update_delete"
BEFORE UPDATE OR DELETE ON "ConfigRevision"
FOR EACH ROW EXECUTE FUNCTION "config_revision_append_only"();
