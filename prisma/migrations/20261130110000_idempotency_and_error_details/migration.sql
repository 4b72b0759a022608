-- Issue 7: task errors in words for users with the provider's details for staff (finding 9),
-- and Idempotency-Key answers (finding 11).
-- AlterTable
ALTER TABLE "Task" ADD COLUMN "errorDetail" TEXT;

-- AlterTable
ALTER TABLE "TaskStep" ADD COLUMN "errorDetail" TEXT;

-- AlterTable
ALTER TABLE "TaskLog" ADD COLUMN "detail" TEXT;

-- CreateTable
CREATE TABLE "IdempotencyKey" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" INTEGER,
    "response" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "IdempotencyKey_userId_key_key" ON "IdempotencyKey"("userId", "key");

-- CreateIndex
CREATE INDEX "IdempotencyKey_expiresAt_idx" ON "IdempotencyKey"("expiresAt");
