-- CreateTable
CREATE TABLE "Plan" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    CONSTRAINT "Plan_rollbackOf_fkey" FOREIGN KEY ("rollbackOf") REFERENCES "Plan" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PlanChange" (
    "planId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    "reason" TEXT NOT NULL,
    "applied" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "appliedAt" DATETIME,

    PRIMARY KEY ("planId", "index"),
    CONSTRAINT "PlanChange_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PlanNode" (
    "planId" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("planId", "node"),
    CONSTRAINT "PlanNode_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NodeLock" (
    "node" TEXT NOT NULL PRIMARY KEY,
    "planId" TEXT NOT NULL,
    "acquiredAt" DATETIME NOT NULL,
    CONSTRAINT "NodeLock_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "id" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "planId" TEXT,
    "node" TEXT,
    "detail" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "AuditHead" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "Plan_createdAt_id_idx" ON "Plan"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Plan_status_createdAt_id_idx" ON "Plan"("status", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Plan_rollbackOf_idx" ON "Plan"("rollbackOf");

-- CreateIndex
CREATE INDEX "PlanNode_node_createdAt_planId_idx" ON "PlanNode"("node", "createdAt", "planId");

-- CreateIndex
CREATE INDEX "NodeLock_planId_idx" ON "NodeLock"("planId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_id_key" ON "AuditEvent"("id");

-- CreateIndex
CREATE INDEX "AuditEvent_node_seq_idx" ON "AuditEvent"("node", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_planId_seq_idx" ON "AuditEvent"("planId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_actor_seq_idx" ON "AuditEvent"("actor", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_actor_action_seq_idx" ON "AuditEvent"("actor", "action", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_action_seq_idx" ON "AuditEvent"("action", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");
