-- Issue 12: acting on tasks. A worker's heartbeat while a step runs (stuck = no heartbeat for N
-- minutes, not just age) and a cancel asked of a running task (its worker stops the step at its
-- next heartbeat and ends the task `cancelled`; who asked is kept for the task's history).
-- AlterTable
ALTER TABLE "Task" ADD COLUMN "heartbeatAt" TIMESTAMP(3);
ALTER TABLE "Task" ADD COLUMN "cancelRequestedAt" TIMESTAMP(3);
ALTER TABLE "Task" ADD COLUMN "cancelRequestedBy" TEXT;
