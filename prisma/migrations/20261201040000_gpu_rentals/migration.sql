-- GPU rentals (issue 11): rental terms and rates of a VM, and its state spans for cost as it happens.
ALTER TABLE "Vm" ADD COLUMN "reservationMonths" INTEGER;
ALTER TABLE "Vm" ADD COLUMN "reservationEndsAt" TIMESTAMP(3);
ALTER TABLE "Vm" ADD COLUMN "autoRestart" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Vm" ADD COLUMN "gpuHourly" DECIMAL(14,6);
ALTER TABLE "Vm" ADD COLUMN "storageHourly" DECIMAL(14,6);
ALTER TABLE "Vm" ADD COLUMN "committedCost" DECIMAL(14,2);

CREATE INDEX "Vm_providerId_gpuType_idx" ON "Vm"("providerId", "gpuType");

CREATE TABLE "VmStateSpan" (
    "id" TEXT NOT NULL,
    "vmId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "VmStateSpan_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "VmStateSpan_vmId_startedAt_idx" ON "VmStateSpan"("vmId", "startedAt");

ALTER TABLE "VmStateSpan" ADD CONSTRAINT "VmStateSpan_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;
