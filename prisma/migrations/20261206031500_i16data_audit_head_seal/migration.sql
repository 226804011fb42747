-- AlterTable
ALTER TABLE "AuditHead" ADD COLUMN "mac" TEXT;
