-- CreateTable
CREATE TABLE "AuditUsageRollup" (
    "actorId" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstTs" DATETIME NOT NULL,
    "lastTs" DATETIME NOT NULL,
    "lastSeq" INTEGER NOT NULL,

    PRIMARY KEY ("actorId", "operation", "actorRole")
);

-- CreateTable
CREATE TABLE "Elevation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "baseRole" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "operation" TEXT,
    "reason" TEXT NOT NULL,
    "ticketRef" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "startsAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    "endReason" TEXT,
    "endedById" TEXT,
    "approvalId" TEXT,
    "approverId" TEXT,
    "startSeq" INTEGER,
    "endSeq" INTEGER,
    "reviewId" TEXT,
    CONSTRAINT "Elevation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AccessReview" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'campaign',
    "status" TEXT NOT NULL DEFAULT 'open',
    "scope" TEXT NOT NULL,
    "usageDays" INTEGER NOT NULL DEFAULT 90,
    "dueAt" DATETIME NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "closedAt" DATETIME,
    "closedById" TEXT,
    "signOff" TEXT,
    "startSeq" INTEGER,
    "closeSeq" INTEGER,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AccessReviewer" (
    "reviewId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,

    PRIMARY KEY ("reviewId", "userId"),
    CONSTRAINT "AccessReviewer_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "AccessReview" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AccessReviewer_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AccessReviewItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reviewId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "roleAtStart" TEXT NOT NULL,
    "statusAtStart" TEXT NOT NULL,
    "decision" TEXT NOT NULL DEFAULT 'pending',
    "newRole" TEXT,
    "reason" TEXT,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "decisionSeq" INTEGER,
    "appliedSeq" INTEGER,
    "approvalId" TEXT,
    CONSTRAINT "AccessReviewItem_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "AccessReview" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AccessReviewItem_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "AuditUsageRollup_actorRole_operation_lastTs_idx" ON "AuditUsageRollup"("actorRole", "operation", "lastTs");

-- CreateIndex
CREATE UNIQUE INDEX "Elevation_approvalId_key" ON "Elevation"("approvalId");

-- CreateIndex
CREATE UNIQUE INDEX "Elevation_reviewId_key" ON "Elevation"("reviewId");

-- CreateIndex
CREATE INDEX "Elevation_userId_status_expiresAt_idx" ON "Elevation"("userId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "Elevation_status_expiresAt_idx" ON "Elevation"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "Elevation_startsAt_idx" ON "Elevation"("startsAt");

-- CreateIndex
CREATE UNIQUE INDEX "AccessReview_number_key" ON "AccessReview"("number");

-- CreateIndex
CREATE INDEX "AccessReview_status_dueAt_idx" ON "AccessReview"("status", "dueAt");

-- CreateIndex
CREATE INDEX "AccessReview_createdAt_idx" ON "AccessReview"("createdAt");

-- CreateIndex
CREATE INDEX "AccessReviewer_userId_idx" ON "AccessReviewer"("userId");

-- CreateIndex
CREATE INDEX "AccessReviewItem_userId_decidedAt_idx" ON "AccessReviewItem"("userId", "decidedAt");

-- CreateIndex
CREATE INDEX "AccessReviewItem_reviewId_decision_idx" ON "AccessReviewItem"("reviewId", "decision");

-- CreateIndex
CREATE UNIQUE INDEX "AccessReviewItem_reviewId_userId_key" ON "AccessReviewItem"("reviewId", "userId");

-- Usage history for the events the rollups already cover (the rollup job adds
-- every later event in the same transaction as its other rollups).
INSERT INTO "AuditUsageRollup" ("actorId", "operation", "actorRole", "count", "firstTs", "lastTs", "lastSeq")
SELECT e."actorId", e."operation", e."actorRole", COUNT(*), MIN(e."ts"), MAX(e."ts"), MAX(e."seq")
FROM "AuditEvent" e
WHERE e."outcome" = 'success' AND e."actorId" IS NOT NULL AND e."actorRole" IS NOT NULL
  AND e."seq" <= COALESCE((SELECT s."throughSeq" FROM "AuditRollupState" s WHERE s."id" = 1), 0)
GROUP BY e."actorId", e."operation", e."actorRole";
