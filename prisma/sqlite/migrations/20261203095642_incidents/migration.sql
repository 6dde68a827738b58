-- CreateTable
CREATE TABLE "Incident" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "ownerId" TEXT,
    "openedById" TEXT NOT NULL,
    "openedAt" DATETIME NOT NULL,
    "closedById" TEXT,
    "closedAt" DATETIME,
    "review" TEXT,
    "openHeadSeq" INTEGER NOT NULL,
    "openHeadHash" TEXT NOT NULL,
    "openCheckpointSeq" INTEGER,
    "closeHeadSeq" INTEGER,
    "closeHeadHash" TEXT,
    "closeCheckpointSeq" INTEGER,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "IncidentLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "incidentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "alertId" TEXT,
    "eventSeq" INTEGER,
    "note" TEXT,
    "authorId" TEXT,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "IncidentLink_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SystemState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "mode" TEXT,
    "since" DATETIME,
    "byId" TEXT,
    "reason" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Incident_number_key" ON "Incident"("number");

-- CreateIndex
CREATE INDEX "Incident_status_openedAt_idx" ON "Incident"("status", "openedAt");

-- CreateIndex
CREATE INDEX "IncidentLink_incidentId_createdAt_idx" ON "IncidentLink"("incidentId", "createdAt");

-- CreateIndex
CREATE INDEX "IncidentLink_alertId_idx" ON "IncidentLink"("alertId");
