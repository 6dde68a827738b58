-- CreateTable
CREATE TABLE "AuditUsageRollup" (
    "actorId" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstTs" TIMESTAMP(3) NOT NULL,
    "lastTs" TIMESTAMP(3) NOT NULL,
    "lastSeq" INTEGER NOT NULL,

    CONSTRAINT "AuditUsageRollup_pkey" PRIMARY KEY ("actorId","operation","actorRole")
);

-- CreateTable
CREATE TABLE "Elevation" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "baseRole" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "operation" TEXT,
    "reason" TEXT NOT NULL,
    "ticketRef" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "startsAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "endReason" TEXT,
    "endedById" TEXT,
    "approvalId" TEXT,
    "approverId" TEXT,
    "startSeq" INTEGER,
    "endSeq" INTEGER,
    "reviewId" TEXT,

    CONSTRAINT "Elevation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessReview" (
    "id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'campaign',
    "status" TEXT NOT NULL DEFAULT 'open',
    "scope" TEXT NOT NULL,
    "usageDays" INTEGER NOT NULL DEFAULT 90,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),
    "closedById" TEXT,
    "signOff" TEXT,
    "startSeq" INTEGER,
    "closeSeq" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessReview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessReviewer" (
    "reviewId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,

    CONSTRAINT "AccessReviewer_pkey" PRIMARY KEY ("reviewId","userId")
);

-- CreateTable
CREATE TABLE "AccessReviewItem" (
    "id" TEXT NOT NULL,
    "reviewId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "roleAtStart" TEXT NOT NULL,
    "statusAtStart" TEXT NOT NULL,
    "decision" TEXT NOT NULL DEFAULT 'pending',
    "newRole" TEXT,
    "reason" TEXT,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionSeq" INTEGER,
    "appliedSeq" INTEGER,
    "approvalId" TEXT,

    CONSTRAINT "AccessReviewItem_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Elevation" ADD CONSTRAINT "Elevation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessReviewer" ADD CONSTRAINT "AccessReviewer_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "AccessReview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessReviewer" ADD CONSTRAINT "AccessReviewer_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessReviewItem" ADD CONSTRAINT "AccessReviewItem_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "AccessReview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessReviewItem" ADD CONSTRAINT "AccessReviewItem_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Usage history for the events the rollups already cover (the rollup job adds
-- every later event in the same transaction as its other rollups).
INSERT INTO "AuditUsageRollup" ("actorId", "operation", "actorRole", "count", "firstTs", "lastTs", "lastSeq")
SELECT e."actorId", e."operation", e."actorRole", COUNT(*), MIN(e."ts"), MAX(e."ts"), MAX(e."seq")
FROM "AuditEvent" e
WHERE e."outcome" = 'success' AND e."actorId" IS NOT NULL AND e."actorRole" IS NOT NULL
  AND e."seq" <= COALESCE((SELECT s."throughSeq" FROM "AuditRollupState" s WHERE s."id" = 1), 0)
GROUP BY e."actorId", e."operation", e."actorRole";
