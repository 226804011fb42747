-- CreateTable
CREATE TABLE "OutboxEvent" (
    "seq" INTEGER NOT NULL,
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "subject" TEXT,
    "data" TEXT NOT NULL,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "WebhookCursor" (
    "name" TEXT NOT NULL,
    "lastSeq" INTEGER NOT NULL,
    "owner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "lastError" TEXT,

    CONSTRAINT "WebhookCursor_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "HealthSignal" (
    "node" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "firstAt" TIMESTAMP(3) NOT NULL,
    "lastAt" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "proposedAt" TIMESTAMP(3),
    "planId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HealthSignal_pkey" PRIMARY KEY ("node","source","code")
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_id_key" ON "OutboxEvent"("id");

-- CreateIndex
CREATE INDEX "HealthSignal_state_outcome_idx" ON "HealthSignal"("state", "outcome");

-- CreateIndex
CREATE INDEX "HealthSignal_proposedAt_idx" ON "HealthSignal"("proposedAt");
