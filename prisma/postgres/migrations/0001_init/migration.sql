-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Plan" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "approvedBy" TEXT,
    "appliedBy" TEXT,
    "appliedAt" TIMESTAMP(3),
    "nodes" TEXT NOT NULL,
    "impact" TEXT NOT NULL,
    "warnings" TEXT NOT NULL,
    "inputs" TEXT NOT NULL,
    "rollbackOf" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
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
    "appliedAt" TIMESTAMP(3),

    CONSTRAINT "PlanChange_pkey" PRIMARY KEY ("planId","index")
);

-- CreateTable
CREATE TABLE "PlanNode" (
    "planId" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PlanNode_pkey" PRIMARY KEY ("planId","node")
);

-- CreateTable
CREATE TABLE "NodeLock" (
    "node" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "acquiredAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NodeLock_pkey" PRIMARY KEY ("node")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "seq" INTEGER NOT NULL,
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "planId" TEXT,
    "node" TEXT,
    "detail" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "AuditHead" (
    "id" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditHead_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Plan" ADD CONSTRAINT "Plan_rollbackOf_fkey" FOREIGN KEY ("rollbackOf") REFERENCES "Plan"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlanChange" ADD CONSTRAINT "PlanChange_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlanNode" ADD CONSTRAINT "PlanNode_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NodeLock" ADD CONSTRAINT "NodeLock_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;
