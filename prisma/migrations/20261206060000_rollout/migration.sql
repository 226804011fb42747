-- AlterTable
ALTER TABLE "Plan" ADD COLUMN "rolloutId" TEXT;

-- CreateTable
CREATE TABLE "Rollout" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cluster" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "approvedBy" TEXT,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "settings" TEXT NOT NULL,
    "waves" TEXT NOT NULL,
    "pausedBy" TEXT,
    "waitingFor" TEXT,
    "error" TEXT,
    "leftDrained" TEXT NOT NULL,
    "warnings" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "runnerOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Rollout_createdAt_id_idx" ON "Rollout"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Rollout_status_createdAt_id_idx" ON "Rollout"("status", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Plan_rolloutId_idx" ON "Plan"("rolloutId");
