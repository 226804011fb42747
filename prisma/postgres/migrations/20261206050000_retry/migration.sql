-- AlterTable
ALTER TABLE "PlanChange" ADD COLUMN     "retryAttempt" INTEGER,
ADD COLUMN     "retryError" TEXT,
ADD COLUMN     "retryUntil" TIMESTAMP(3);
