-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "cluster" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "NodeLock" DROP CONSTRAINT "NodeLock_pkey",
ADD COLUMN     "cluster" TEXT NOT NULL DEFAULT 'default',
ADD CONSTRAINT "NodeLock_pkey" PRIMARY KEY ("cluster", "node");

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "cluster" TEXT;

-- AlterTable
ALTER TABLE "HealthSignal" DROP CONSTRAINT "HealthSignal_pkey",
ADD COLUMN     "cluster" TEXT NOT NULL DEFAULT 'default',
ADD CONSTRAINT "HealthSignal_pkey" PRIMARY KEY ("cluster", "node", "source", "code");

-- CreateIndex
CREATE INDEX "Plan_cluster_createdAt_id_idx" ON "Plan"("cluster", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_cluster_seq_idx" ON "AuditEvent"("cluster", "seq");
