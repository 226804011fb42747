-- AlterTable
ALTER TABLE "PlanChange" ADD COLUMN "retryAttempt" INTEGER;
ALTER TABLE "PlanChange" ADD COLUMN "retryError" TEXT;
ALTER TABLE "PlanChange" ADD COLUMN "retryUntil" DATETIME;
