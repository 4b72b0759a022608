-- Issue 12: the task monitor and search at 1,000,000 tasks and 20,000,000 log lines.
-- Substring search ("clone-60be", part of a VM's name or of an email) needs pg_trgm GIN
-- indexes: a text_pattern_ops btree would only find beginnings, and support pastes fragments.
-- Ids (a task's, the provider's task id) are searched whole or by their beginning:
-- text_pattern_ops btrees, much smaller than trigrams on 1M/5M rows.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "User_email_idx" ON "User" USING GIN ("email" gin_trgm_ops);
CREATE INDEX "Vm_name_idx" ON "Vm" USING GIN ("name" gin_trgm_ops);
CREATE INDEX "Vm_providerRefId_idx" ON "Vm"("providerRefId");
CREATE INDEX "Task_createdAt_id_idx" ON "Task"("createdAt", "id");
CREATE INDEX "Task_status_createdAt_id_idx" ON "Task"("status", "createdAt", "id");
CREATE INDEX "Task_kind_createdAt_id_idx" ON "Task"("kind", "createdAt", "id");
CREATE INDEX "Task_vmId_createdAt_idx" ON "Task"("vmId", "createdAt");
CREATE INDEX "Task_id_prefix_idx" ON "Task"("id" text_pattern_ops);
CREATE INDEX "Task_finishedAt_idx" ON "Task"("finishedAt");
CREATE INDEX "TaskStep_providerTaskId_idx" ON "TaskStep"("providerTaskId" text_pattern_ops);
