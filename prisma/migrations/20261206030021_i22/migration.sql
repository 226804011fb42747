-- CreateTable
CREATE TABLE "OutboxEvent" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "subject" TEXT,
    "data" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "WebhookCursor" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "lastSeq" INTEGER NOT NULL,
    "owner" TEXT,
    "leaseUntil" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lastError" TEXT
);

-- CreateTable
CREATE TABLE "HealthSignal" (
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

    PRIMARY KEY ("node", "source", "code")
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_id_key" ON "OutboxEvent"("id");

-- CreateIndex
CREATE INDEX "HealthSignal_state_outcome_idx" ON "HealthSignal"("state", "outcome");

-- CreateIndex
CREATE INDEX "HealthSignal_proposedAt_idx" ON "HealthSignal"("proposedAt");
