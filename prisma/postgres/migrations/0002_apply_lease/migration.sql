-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "applyOwner" TEXT,
ADD COLUMN     "leaseExpiresAt" TIMESTAMP(3);
