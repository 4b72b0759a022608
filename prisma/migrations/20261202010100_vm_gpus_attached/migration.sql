-- A VM being created whose GPUs its provider has attached already (issue 11): its provider's free
-- count no longer includes them, so the GPU pool stops counting them as promised but not built
-- (lib/quota/gpu-pool.ts). Before, they were counted twice until the create finished.
ALTER TABLE "Vm" ADD COLUMN "gpusAttached" BOOLEAN NOT NULL DEFAULT false;
