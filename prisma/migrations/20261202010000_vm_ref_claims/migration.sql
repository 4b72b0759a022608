-- Provider ids handed out to creates being accepted, shared by every portal process (issue 13,
-- scale-out): a web process claims an id here before its VM row exists, so two processes never
-- hand out the same id at once (lib/vms/ref-claims.ts). A claim lapses at "until"; the worker's
-- housekeeping removes lapsed ones.
CREATE TABLE "VmRefClaim" (
    "providerId" TEXT NOT NULL,
    "refId" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VmRefClaim_pkey" PRIMARY KEY ("providerId","refId")
);

CREATE INDEX "VmRefClaim_until_idx" ON "VmRefClaim"("until");

ALTER TABLE "VmRefClaim" ADD CONSTRAINT "VmRefClaim_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "ProviderConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
