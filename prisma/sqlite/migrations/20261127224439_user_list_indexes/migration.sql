-- DropIndex
DROP INDEX "User_name_idx";

-- DropIndex
DROP INDEX "User_lastActiveAt_idx";

-- DropIndex
DROP INDEX "User_createdAt_idx";

-- DropIndex
DROP INDEX "User_role_status_idx";

-- CreateIndex
CREATE INDEX "User_role_status_deletedAt_idx" ON "User"("role", "status", "deletedAt");

-- CreateIndex
CREATE INDEX "User_deletedAt_createdAt_idx" ON "User"("deletedAt", "createdAt");

-- CreateIndex
CREATE INDEX "User_deletedAt_lastActiveAt_idx" ON "User"("deletedAt", "lastActiveAt");

-- CreateIndex
CREATE INDEX "User_deletedAt_name_idx" ON "User"("deletedAt", "name");

-- CreateIndex
CREATE INDEX "User_deletedAt_email_idx" ON "User"("deletedAt", "email");

-- CreateIndex
CREATE INDEX "User_deletedAt_role_idx" ON "User"("deletedAt", "role");
