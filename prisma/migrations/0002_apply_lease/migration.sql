-- AlterTable
ALTER TABLE "Plan" ADD COLUMN "applyOwner" TEXT;
ALTER TABLE "Plan" ADD COLUMN "leaseExpiresAt" DATETIME;
