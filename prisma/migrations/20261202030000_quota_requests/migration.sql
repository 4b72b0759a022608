-- Issue 14: "Request more". A user asks for more of single limits with a reason; an admin
-- approves (time-limited grants that raise exactly those limits) or refuses with a reason.
-- CreateEnum
CREATE TYPE "QuotaRequestStatus" AS ENUM ('pending', 'approved', 'refused');

-- CreateTable
CREATE TABLE "QuotaRequest" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "teamId" TEXT,
    "items" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "days" INTEGER,
    "status" "QuotaRequestStatus" NOT NULL DEFAULT 'pending',
    "decidedById" TEXT,
    "decidedByEmail" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QuotaRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QuotaGrant" (
    "id" TEXT NOT NULL,
    "userId" TEXT,
    "teamId" TEXT,
    "limit" TEXT NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "requestId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    -- A grant raises a user's limit or a team's (exactly one is set) by a positive amount, and
    -- ends after it starts: lib/quota-requests/decide.ts writes the only rows.
    CONSTRAINT "QuotaGrant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "QuotaRequest_status_createdAt_idx" ON "QuotaRequest"("status", "createdAt");

-- CreateIndex
CREATE INDEX "QuotaRequest_userId_createdAt_idx" ON "QuotaRequest"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "QuotaGrant_userId_endsAt_idx" ON "QuotaGrant"("userId", "endsAt");

-- CreateIndex
CREATE INDEX "QuotaGrant_teamId_endsAt_idx" ON "QuotaGrant"("teamId", "endsAt");

-- AddForeignKey
ALTER TABLE "QuotaRequest" ADD CONSTRAINT "QuotaRequest_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QuotaRequest" ADD CONSTRAINT "QuotaRequest_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QuotaGrant" ADD CONSTRAINT "QuotaGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QuotaGrant" ADD CONSTRAINT "QuotaGrant_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QuotaGrant" ADD CONSTRAINT "QuotaGrant_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "QuotaRequest"("id") ON DELETE SET NULL ON UPDATE CASCADE;
