-- One provider template may be published under several names (e.g. other sizes for another team).
-- DropIndex
DROP INDEX "Template_providerId_node_vmid_key";

-- CreateIndex
CREATE INDEX "Template_providerId_node_vmid_idx" ON "Template"("providerId", "node", "vmid");
