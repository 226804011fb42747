-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN "cluster" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Plan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cluster" TEXT NOT NULL DEFAULT 'default',
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "approvedBy" TEXT,
    "appliedBy" TEXT,
    "appliedAt" DATETIME,
    "nodes" TEXT NOT NULL,
    "impact" TEXT NOT NULL,
    "warnings" TEXT NOT NULL,
    "inputs" TEXT NOT NULL,
    "rollbackOf" TEXT,
    "updatedAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "applyOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    CONSTRAINT "Plan_rollbackOf_fkey" FOREIGN KEY ("rollbackOf") REFERENCES "Plan" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Plan" ("appliedAt", "appliedBy", "applyOwner", "approvedBy", "createdAt", "createdBy", "id", "impact", "inputs", "kind", "leaseExpiresAt", "nodes", "reason", "rollbackOf", "status", "updatedAt", "version", "warnings") SELECT "appliedAt", "appliedBy", "applyOwner", "approvedBy", "createdAt", "createdBy", "id", "impact", "inputs", "kind", "leaseExpiresAt", "nodes", "reason", "rollbackOf", "status", "updatedAt", "version", "warnings" FROM "Plan";
DROP TABLE "Plan";
ALTER TABLE "new_Plan" RENAME TO "Plan";
CREATE INDEX "Plan_createdAt_id_idx" ON "Plan"("createdAt", "id");
CREATE INDEX "Plan_status_createdAt_id_idx" ON "Plan"("status", "createdAt", "id");
CREATE INDEX "Plan_cluster_createdAt_id_idx" ON "Plan"("cluster", "createdAt", "id");
CREATE INDEX "Plan_rollbackOf_idx" ON "Plan"("rollbackOf");
CREATE TABLE "new_NodeLock" (
    "cluster" TEXT NOT NULL DEFAULT 'default',
    "node" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "acquiredAt" DATETIME NOT NULL,

    PRIMARY KEY ("cluster", "node"),
    CONSTRAINT "NodeLock_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_NodeLock" ("acquiredAt", "node", "planId") SELECT "acquiredAt", "node", "planId" FROM "NodeLock";
DROP TABLE "NodeLock";
ALTER TABLE "new_NodeLock" RENAME TO "NodeLock";
CREATE INDEX "NodeLock_planId_idx" ON "NodeLock"("planId");
CREATE TABLE "new_HealthSignal" (
    "cluster" TEXT NOT NULL DEFAULT 'default',
    "node" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "firstAt" DATETIME NOT NULL,
    "lastAt" DATETIME NOT NULL,
    "count" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "proposedAt" DATETIME,
    "planId" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("cluster", "node", "source", "code")
);
INSERT INTO "new_HealthSignal" ("code", "count", "firstAt", "lastAt", "message", "node", "outcome", "planId", "proposedAt", "severity", "source", "state", "updatedAt") SELECT "code", "count", "firstAt", "lastAt", "message", "node", "outcome", "planId", "proposedAt", "severity", "source", "state", "updatedAt" FROM "HealthSignal";
DROP TABLE "HealthSignal";
ALTER TABLE "new_HealthSignal" RENAME TO "HealthSignal";
CREATE INDEX "HealthSignal_state_outcome_idx" ON "HealthSignal"("state", "outcome");
CREATE INDEX "HealthSignal_proposedAt_idx" ON "HealthSignal"("proposedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "AuditEvent_cluster_seq_idx" ON "AuditEvent"("cluster", "seq");
