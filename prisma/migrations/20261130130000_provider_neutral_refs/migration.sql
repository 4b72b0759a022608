-- A provider-neutral core: VMs and templates point at their provider object through an opaque
-- reference (JSON read only by the provider kind's module) beside a short id for display;
-- task steps have a stable key and record a generic provider task id; tasks keep a result.
-- Every existing provider is a Proxmox VE one: its references are {node, vmid}, shown as the VMID.

-- Template
ALTER TABLE "Template" ADD COLUMN "providerRef" JSONB,
ADD COLUMN "providerRefId" TEXT,
ADD COLUMN "settings" JSONB NOT NULL DEFAULT '{}';
UPDATE "Template" SET "providerRef" = jsonb_build_object('node', "node", 'vmid', "vmid"),
  "providerRefId" = "vmid"::text,
  "settings" = CASE WHEN "storage" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('storage', "storage") END;
ALTER TABLE "Template" ALTER COLUMN "providerRef" SET NOT NULL,
ALTER COLUMN "providerRefId" SET NOT NULL;
DROP INDEX "Template_providerId_node_vmid_idx";
ALTER TABLE "Template" DROP COLUMN "node",
DROP COLUMN "vmid",
DROP COLUMN "storage";
CREATE INDEX "Template_providerId_providerRefId_idx" ON "Template"("providerId", "providerRefId");

-- Vm
ALTER TABLE "Vm" ADD COLUMN "providerRef" JSONB,
ADD COLUMN "providerRefId" TEXT;
UPDATE "Vm" SET "providerRef" = jsonb_build_object('node', "node", 'vmid', "vmid"),
  "providerRefId" = "vmid"::text
  WHERE "vmid" IS NOT NULL;
ALTER TABLE "Vm" DROP COLUMN "node",
DROP COLUMN "vmid";
CREATE INDEX "Vm_providerId_providerRefId_idx" ON "Vm"("providerId", "providerRefId");

-- Task
ALTER TABLE "Task" ADD COLUMN "result" JSONB;

-- Tasks still to run carry their input in the new shape (finished tasks are never read again).
UPDATE "Task" SET "input" = jsonb_build_object(
    'request', jsonb_build_object(
      'name', "input"->'spec'->'name',
      'template', jsonb_build_object(
        'ref', jsonb_build_object('id', "input"->'spec'->'template'->>'vmid', 'data', "input"->'spec'->'template'),
        'settings', '{}'::jsonb,
        'ciuser', "input"->'spec'->'ciuser'),
      'size', jsonb_build_object('cpuCores', "input"->'spec'->'cpuCores', 'memoryMb', "input"->'spec'->'memoryMb', 'diskGb', "input"->'spec'->'diskGb', 'gpus', '{}'::jsonb),
      'options', jsonb_build_object('target', "input"->'spec'->'targetNode', 'storage', "input"->'spec'->'storage'),
      'cloudInit', jsonb_strip_nulls(jsonb_build_object('user', "input"->'spec'->'ciuser')),
      'description', "input"->'spec'->'description'),
    'sealed', "input"->'sealed',
    'accepted', jsonb_build_object('id', "input"->'spec'->>'vmid', 'data', jsonb_build_object('node', "input"->'spec'->'targetNode', 'vmid', "input"->'spec'->'vmid')))
  WHERE "kind" = 'vm.create' AND "status" IN ('pending', 'in_progress') AND "input" ? 'spec';
UPDATE "Task" SET "input" = jsonb_set("input", '{ref}', jsonb_build_object('id', "input"->'ref'->>'vmid', 'data', "input"->'ref'))
  WHERE "kind" LIKE 'vm.%' AND "kind" <> 'vm.create' AND "status" IN ('pending', 'in_progress') AND "input"->'ref' ? 'vmid';
UPDATE "Task" SET "input" = jsonb_set(jsonb_set("input", '{previous,gpus}', '{}'::jsonb), '{wanted,gpus}', '{}'::jsonb)
  WHERE "kind" = 'vm.resize' AND "status" IN ('pending', 'in_progress') AND "input" ? 'previous' AND "input" ? 'wanted';

-- TaskStep: the stable keys of the steps written so far, from their labels.
ALTER TABLE "TaskStep" ADD COLUMN "key" TEXT;
UPDATE "TaskStep" s SET "key" = CASE s."name"
    WHEN 'Reserve quota' THEN 'reserve_quota'
    WHEN 'Allocate VMID' THEN 'allocate_vmid'
    WHEN 'Clone template' THEN 'clone'
    WHEN 'Configure CPU, memory, name and cloud-init' THEN 'configure'
    WHEN 'Resize disk' THEN 'resize'
    WHEN 'Start VM' THEN 'start'
    WHEN 'Wait for the guest agent and read the IP' THEN 'agent'
    WHEN 'Stop VM' THEN 'stop'
    WHEN 'Shut down the guest' THEN 'shutdown'
    WHEN 'Stop if still running' THEN 'force_stop'
    WHEN 'Reboot VM' THEN 'reboot'
    WHEN 'Destroy VM and its disks' THEN 'destroy'
    WHEN 'Set CPU cores and memory' THEN 'configure'
    WHEN 'Grow disk' THEN 'grow_disk'
    ELSE 'step_' || s."position"::text END;
-- A label seen twice in one task (never written by Hangar, but be safe) keeps its position.
UPDATE "TaskStep" s SET "key" = s."key" || '_' || s."position"::text
  WHERE EXISTS (SELECT 1 FROM "TaskStep" o WHERE o."taskId" = s."taskId" AND o."key" = s."key" AND o."position" < s."position");
ALTER TABLE "TaskStep" ALTER COLUMN "key" SET NOT NULL;
ALTER TABLE "TaskStep" RENAME COLUMN "upid" TO "providerTaskId";
CREATE UNIQUE INDEX "TaskStep_taskId_key_key" ON "TaskStep"("taskId", "key");
