import { z } from "zod";
import { denialSchema, envelope, errorEnvelope, loginResponseSchema, MAX_VM_PAGE, meSchema, taskSchema, templateSchema, vmListItemSchema } from "../schemas/api";
import { loginSchema } from "../schemas/user";
import { markReadResponseSchema, markReadSchema, MAX_LIMIT, notificationListSchema, DEFAULT_LIMIT } from "../notifications/schemas";
import { createFromTemplateResponseSchema, createFromTemplateSchema } from "../schemas/vm";
import { STATUS_FILTERS, DEFAULT_TASK_LIMIT, MAX_TASK_LIMIT, taskPageSchema } from "../tasks/search";
import { gpuOrderDocFields } from "../schemas/gpu-order";
import { SHOWBACK_COLUMNS } from "../vms/showback";
import {
  approveQuotaRequestSchema,
  createQuotaRequestSchema,
  MAX_PENDING,
  quotaRequestListSchema,
  quotaRequestViewSchema,
  refuseQuotaRequestSchema,
} from "../quota-requests/schemas";
import { resizeVmSchema, vmActionResponseSchema, vmDetailSchema } from "../schemas/vm-action";

/**
 * The OpenAPI 3.1 description of /api/v1, generated from the zod schemas that validate the
 * requests (and describe the responses), so the document cannot drift from the code.
 */
function schema(s: z.ZodType) {
  return z.toJSONSchema(s, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
}

function json(s: z.ZodType, description: string) {
  return { description, content: { "application/json": { schema: schema(s) } } };
}

const errors = (codes: Record<string, string>) => Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, json(errorEnvelope, description)]));

export function openApiDocument(serverUrl = "/") {
  const bearer = [{ bearer: [] }];
  const vmIdParam = { name: "vm_id", in: "path", required: true, schema: { type: "string" } };
  // lib/api/idempotency.ts: on every request that makes something.
  const idempotencyKey = {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    schema: { type: "string", minLength: 1, maxLength: 255 },
    description:
      "Makes a retry safe: the same key with the same method, path and body (same user) within 24 hours answers the first response again (status and body, with `Idempotent-Replayed: true`) and does nothing new. The same key with another request is a 422; while the first request still runs, a duplicate waits for its answer or gets a 409 with Retry-After. Answers of 5xx are not kept.",
  };
  const idempotencyErrors = errors({ "422": "Idempotency-Key was already used with a different request" });
  const actionErrors = errors({
    "401": "Authentication required",
    "403": "Only the VM's owner or an admin may manage it",
    "404": "VM not found",
    "409": "Another task is running on this VM | The VM is still being created: wait for its create task to finish | VM is already running | VM is already stopped | VM is not running",
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "Hangar API",
      version: "1",
      description:
        "Self-service virtual machines. Every answer is the envelope {code, message, data}, code being the HTTP status. Authenticate with `Authorization: Bearer <token>` from POST /api/v1/auth/login or a personal API token.",
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths: {
      "/api/v1/auth/login": {
        post: {
          summary: "Exchange email and password for a session Bearer token",
          requestBody: { required: true, content: { "application/json": { schema: schema(loginSchema) } } },
          responses: {
            "200": json(envelope(loginResponseSchema), "Login successful"),
            ...errors({ "400": "Missing required fields: …", "401": "Invalid email or password", "403": "Account disabled", "429": "Too many failed sign-in attempts (Retry-After)" }),
          },
        },
      },
      "/api/v1/me": {
        get: { summary: "Who the token belongs to", security: bearer, responses: { "200": json(envelope(meSchema), "The caller"), ...errors({ "401": "Authentication required" }) } },
      },
      "/api/v1/vm/manage/createFromTemplate": {
        post: {
          summary: "Create a VM from a template (asynchronous: returns a task id)",
          description:
            "Checks, in this order: missing fields, VM name, template (id or unique name), permission to use it, the caller's plan, the plan's per-VM limits, then the plan's available (aggregate) limits. GPU machines: `gpuType` (from the template's `offers`), `gpuCount`, `rentalType`, `reservationMonths`, `autoRestart`; each bad combination, a GPU or rental type the plan does not allow, a count the offer has not, sizes above the offer's (where sizes come with the offer) and GPUs not free now are 400s saying so; the spend limit counts a reservation's whole term. `storage` defaults to the template's, then the provider's, then \"NFS\". A quota denial keeps the seed's message and lists each denied dimension in `data.denials`.",
          security: bearer,
          parameters: [idempotencyKey],
          requestBody: { required: true, content: { "application/json": { schema: schema(createFromTemplateSchema.extend(gpuOrderDocFields)) } } },
          responses: {
            "200": json(envelope(createFromTemplateResponseSchema), "VM created and configured successfully (the task runs on)"),
            ...idempotencyErrors,
            "400": json(
              envelope(z.object({ denials: z.array(denialSchema) }).nullable()),
              "Missing required fields: … | Invalid VM name: … | Requested resources exceed the per VM limits of your compute resource plan | Requested resources exceed the available limits of your compute resource plan",
            ),
            ...errors({
              "401": "Authentication required",
              "403": "You do not have permission to use this template",
              "404": "Template not found | Compute resource plan not found",
              "500": "The provider failed (e.g. \"The provider did not answer; try again later\"), in words for the user; support and admins also get `data.provider` and `data.detail`, the provider's own words",
            }),
          },
        },
      },
      "/api/v1/notifications": {
        get: {
          summary: "The caller's notifications, newest first",
          description:
            "Tasks completed or failed, VMs interrupted, quotas and spend limits near (80 %) or reached. Keyset pagination: pass the answer's `next_cursor` as `cursor` for older ones. `unread_count` counts all unread ones (not only this page). The browser's session cookie is accepted too (reads only).",
          security: bearer,
          parameters: [
            { name: "unread", in: "query", required: false, schema: { type: "string", enum: ["true", "false"] }, description: "Only unread notifications" },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
            { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "`next_cursor` of the previous page" },
          ],
          responses: {
            "200": json(envelope(notificationListSchema), "Notifications"),
            ...errors({ "400": "limit: … | unread: … | cursor: not a cursor from a previous page", "401": "Authentication required" }),
          },
        },
      },
      "/api/v1/quota-requests": {
        get: {
          summary: "Requests for more quota: the caller's, or (admins, all=true) everyone's",
          security: bearer,
          parameters: [
            { name: "status", in: "query", required: false, schema: { type: "string", enum: ["pending", "approved", "refused"] } },
            { name: "all", in: "query", required: false, schema: { type: "string", enum: ["true", "false"] }, description: "Everyone's requests (admins only)" },
          ],
          responses: {
            "200": json(envelope(quotaRequestListSchema), "Requests (pending ones oldest first, the others newest first) and how many are pending"),
            ...errors({ "400": "status: … | all: …", "401": "Authentication required", "403": "Only administrators may see everyone's requests" }),
          },
        },
        post: {
          summary: "Ask for more of single limits (\"Request more\")",
          description: `Each item raises one limit (a Plan column: maxCpuCoresSum, maxMemoryMbPerVm, maxVms, maxMonthlySpend, …) of your own quota (scope "user") or your team's (scope "team", aggregate limits only) by \`amount\` (memory in MB, money with at most 2 decimals). \`reason\` is required (10–1000 characters); \`days\` (1–365) is how long you ask for. At most ${MAX_PENDING} requests may wait at once. An admin approves (time-limited grants: the quota checks count them until they end) or refuses with a reason; you are notified (kind quota_request_decided).`,
          security: bearer,
          parameters: [idempotencyKey],
          requestBody: { required: true, content: { "application/json": { schema: schema(createQuotaRequestSchema) } } },
          responses: {
            "200": json(envelope(quotaRequestViewSchema), "Request sent: an administrator will decide"),
            ...idempotencyErrors,
            ...errors({ "400": "items.0.limit: … | reason must say why, in at least 10 characters | days: at most 365 | You have no compute plan: …", "401": "Authentication required", "409": "You already have N requests waiting for a decision: …" }),
          },
        },
      },
      "/api/v1/quota-requests/{request_id}": {
        get: {
          summary: "One request (its requester's, or any admin's)",
          security: bearer,
          parameters: [{ name: "request_id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json(envelope(quotaRequestViewSchema), "The request with its grants"), ...errors({ "401": "Authentication required", "404": "Quota request not found" }) },
        },
      },
      "/api/v1/quota-requests/{request_id}/approve": {
        post: {
          summary: "Approve a pending request (admins; not their own)",
          description: "Creates one grant per item raising exactly that limit by its amount, from now for `days` (default: the days asked, else 30); it stops counting by itself at its end. The requester is notified.",
          security: bearer,
          parameters: [{ name: "request_id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: false, content: { "application/json": { schema: schema(approveQuotaRequestSchema) } } },
          responses: {
            "200": json(envelope(quotaRequestViewSchema), "Request approved"),
            ...errors({ "400": "days: … | note: …", "401": "Authentication required", "403": "You do not have permission to do this | You cannot decide your own request: …", "404": "Quota request not found", "409": "This request was already approved | refused" }),
          },
        },
      },
      "/api/v1/quota-requests/{request_id}/refuse": {
        post: {
          summary: "Refuse a pending request with a reason (admins; not their own)",
          security: bearer,
          parameters: [{ name: "request_id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: schema(refuseQuotaRequestSchema) } } },
          responses: {
            "200": json(envelope(quotaRequestViewSchema), "Request refused"),
            ...errors({ "400": "reason is required", "401": "Authentication required", "403": "You do not have permission to do this | You cannot decide your own request: …", "404": "Quota request not found", "409": "This request was already approved | refused" }),
          },
        },
      },
      "/api/v1/notifications/read": {
        post: {
          summary: "Mark notifications read: the given ids, or all",
          description: "Ids that are not the caller's (or do not exist) are ignored; marking again changes nothing.",
          security: bearer,
          requestBody: { required: true, content: { "application/json": { schema: schema(markReadSchema) } } },
          responses: {
            "200": json(envelope(markReadResponseSchema), "Notifications marked read"),
            ...errors({ "400": "ids: … | all: all must be true", "401": "Authentication required" }),
          },
        },
      },
      "/api/v1/showback": {
        get: {
          summary: "A month's cost of a user's or a team's GPU rentals, as CSV (support and admins)",
          description:
            "One row per rated rental (GPU machine) that existed in the month (UTC), deleted ones included: hours running and existing, GPU cost (while running) and storage cost (while it exists) at the rates it was accepted with, and a total row. Columns: " +
            SHOWBACK_COLUMNS.join(", ") +
            ".",
          security: bearer,
          parameters: [
            { name: "month", in: "query", required: false, schema: { type: "string", pattern: "^\\d{4}-(0[1-9]|1[0-2])$" }, description: "YYYY-MM; default: this month" },
            { name: "user", in: "query", required: false, schema: { type: "string" }, description: "A user's e-mail or id (or give team)" },
            { name: "team", in: "query", required: false, schema: { type: "string" }, description: "A team's name or id (or give user)" },
          ],
          responses: {
            "200": { description: "The CSV", content: { "text/csv": { schema: { type: "string" } } } },
            ...errors({ "400": "month must be YYYY-MM | Give exactly one of user and team", "401": "Authentication required", "403": "You do not have permission to do this", "404": "User not found | Team not found" }),
          },
        },
      },
      "/api/v1/templates": {
        get: { summary: "Templates the caller may use", security: bearer, responses: { "200": json(envelope(z.array(templateSchema)), "Templates"), ...errors({ "401": "Authentication required" }) } },
      },
      "/api/v1/tasks": {
        get: {
          summary: "Find tasks, newest first (support and admins: every task; users: their own)",
          security: bearer,
          parameters: [
            { name: "q", in: "query", required: false, schema: { type: "string", maxLength: 200 }, description: "A task id (or its beginning), part of a VM's name or of a user's email, a provider object id or provider task id" },
            { name: "status", in: "query", required: false, schema: { type: "string", enum: [...STATUS_FILTERS] }, description: "`active`: pending or running; `stuck`: no heartbeat for HANGAR_STUCK_MINUTES" },
            { name: "kind", in: "query", required: false, schema: { type: "string" }, description: "e.g. vm.create, vm.start" },
            { name: "provider", in: "query", required: false, schema: { type: "string" }, description: "A provider connection's name" },
            { name: "user", in: "query", required: false, schema: { type: "string" }, description: "A user's email or id (support and admins)" },
            { name: "from", in: "query", required: false, schema: { type: "string", format: "date-time" }, description: "Created at or after" },
            { name: "to", in: "query", required: false, schema: { type: "string", format: "date-time" }, description: "Created at or before" },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: MAX_TASK_LIMIT, default: DEFAULT_TASK_LIMIT } },
            { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "next_cursor of the previous page" },
          ],
          responses: { "200": json(envelope(taskPageSchema), "A page of tasks"), ...errors({ "400": "A parameter is not valid (the message names it)", "401": "Authentication required" }) },
        },
      },
      "/api/v1/tasks/{task_id}": {
        get: {
          summary: "A task with its steps (with the provider's task ids) and log lines",
          security: bearer,
          parameters: [
            { name: "task_id", in: "path", required: true, schema: { type: "string" } },
            { name: "logs_after", in: "query", required: false, schema: { type: "string" }, description: "Only log lines with a larger id" },
          ],
          responses: { "200": json(envelope(taskSchema), "The task"), ...errors({ "401": "Authentication required", "404": "Task not found" }) },
        },
      },
      "/api/v1/tasks/{task_id}/retry": {
        post: {
          summary: "Retry a failed task from its failed step (the steps before it stay done; what they made is reused) (support and admins, or the task's owner); answers the task",
          security: bearer,
          parameters: [{ name: "task_id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json(envelope(taskSchema), "The task"), ...errors({ "401": "Authentication required", "404": "Task not found", "409": "Only a failed task can be retried | This task cannot be retried" }) },
        },
      },
      "/api/v1/tasks/{task_id}/cancel": {
        post: {
          summary: "Cancel a pending or running task: the running step is stopped where the provider allows; quota released, half-made objects removed (support and admins, or the task's owner); answers the task",
          security: bearer,
          parameters: [{ name: "task_id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json(envelope(taskSchema), "The task"), ...errors({ "401": "Authentication required", "404": "Task not found", "409": "Only a pending or running task can be cancelled | A cancel of this task was asked already" }) },
        },
      },
      "/api/v1/tasks/{task_id}/mark-failed": {
        post: {
          summary: "Mark failed a pending or running task whose worker is gone (no heartbeat for HANGAR_STUCK_MINUTES); its quota is released (support and admins, or the task's owner); answers the task",
          security: bearer,
          parameters: [{ name: "task_id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json(envelope(taskSchema), "The task"), ...errors({ "401": "Authentication required", "404": "Task not found", "409": "This task's worker is still alive or it ended" }) },
        },
      },
      "/api/v1/vms": {
        get: {
          summary: "The caller's VMs, newest first",
          description:
            "Without `limit`, all of them. With `limit`, one page; the next page's address is in the `Link` response header (`rel=\"next\"`), absent on the last page (keyset pagination: a deep page costs what the first does).",
          security: bearer,
          parameters: [
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: MAX_VM_PAGE } },
            { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "From the previous page's `Link` header" },
          ],
          responses: {
            "200": json(envelope(z.array(vmListItemSchema)), "VMs"),
            ...errors({ "400": "limit must be a whole number from 1 to … | cursor: not a cursor from a previous page", "401": "Authentication required" }),
          },
        },
      },
      "/api/v1/vms/{vm_id}": {
        parameters: [vmIdParam],
        get: {
          summary: "One VM: its state, size, the task running on it and the actions it accepts now",
          security: bearer,
          responses: { "200": json(envelope(vmDetailSchema), "The VM"), ...errors({ "401": "Authentication required", "404": "VM not found" }) },
        },
        delete: {
          summary: "Delete the VM (asynchronous: returns a task id)",
          description:
            "Stops the VM if it runs, then destroys it with its disks (purged from backup jobs, replication and HA). A VM already gone on the provider counts as done. When the task completes the VM is gone from the caller's VMs and its quota is released; if it fails, the VM stays and the task says why.",
          security: bearer,
          parameters: [idempotencyKey],
          responses: { "200": json(envelope(vmActionResponseSchema), "Delete of <name> accepted"), ...actionErrors, ...idempotencyErrors },
        },
      },
      ...Object.fromEntries(
        (
          [
            ["start", "Start the VM", "409 when it is already running."],
            ["stop", "Stop the VM at once (like pulling the plug)", "409 when it is already stopped."],
            ["shutdown", "Shut the VM down cleanly (ACPI or guest agent); stopped if it is still running after a timeout", "409 when it is already stopped."],
            ["reboot", "Reboot the VM; pending CPU and memory changes take effect", "409 when it is not running."],
          ] as const
        ).map(([action, summary, conflict]) => [
          `/api/v1/vms/{vm_id}/${action}`,
          {
            parameters: [vmIdParam],
            post: {
              summary: `${summary} (asynchronous: returns a task id)`,
              description: `One task at a time per VM. ${conflict} The VM's state follows when the task completes.`,
              security: bearer,
              parameters: [idempotencyKey],
              responses: { "200": json(envelope(vmActionResponseSchema), `${action} of <name> accepted`), ...actionErrors, ...idempotencyErrors },
            },
          },
        ]),
      ),
      "/api/v1/vms/{vm_id}/resize": {
        parameters: [vmIdParam],
        post: {
          summary: "Change the VM's vCPU cores, memory (MB) and disk (GB) (asynchronous: returns a task id)",
          description:
            "Give any of cpuCores, memorySize, diskSize; the others stay. Only increases are checked against the plan (per-VM limits first, then the available limits of the user's and the team's plan), so shrinking CPU or memory is always allowed, even over a lowered plan. Disks never shrink. The new size counts against the quota at once and is restored if the task fails. On a running VM, PVE keeps new CPU cores and memory pending until the VM is rebooted; the disk grows at once.",
          security: bearer,
          parameters: [idempotencyKey],
          requestBody: { required: true, content: { "application/json": { schema: schema(resizeVmSchema) } } },
          responses: {
            "200": json(envelope(vmActionResponseSchema), "Resize of <name> accepted"),
            ...idempotencyErrors,
            "400": json(
              envelope(z.object({ denials: z.array(denialSchema) }).nullable()),
              "Disks cannot shrink: … GB is smaller than the current … GB | Nothing to change: … | Requested resources exceed the per VM limits of your compute resource plan | Requested resources exceed the available limits of your compute resource plan",
            ),
            ...errors({
              "401": "Authentication required",
              "403": "Only the VM's owner or an admin may manage it",
              "404": "VM not found | Compute resource plan not found",
              "409": "Another task is running on this VM | The VM is still being created: wait for its create task to finish",
            }),
          },
        },
      },
    },
  };
}
