-- Two portal processes never hand out the same provider id (issue 9): among the portal's live
-- VMs (not deleted, already named by their provider), a provider id is held by one VM per
-- connection. A partial index, which Prisma's schema cannot express: it is listed with its
-- reason in lib/db/raw-indexes.ts, which the schema-agreement test reads.
CREATE UNIQUE INDEX "Vm_providerId_providerRefId_live_key" ON "Vm"("providerId", "providerRefId") WHERE "deletedAt" IS NULL AND "providerRefId" IS NOT NULL;
