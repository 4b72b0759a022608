import { z } from "zod";
import { LIMIT_KEYS, type LimitKey } from "../quota/limits";
import { LIMIT_DIMENSION } from "../quota/grants";
import { text } from "../schemas/text";

/**
 * Request shapes of "Request more" (issue 14), shared by the API routes, the server actions, the
 * forms and the OpenAPI document. Strict: unknown keys, wrong types and loose values are a 400
 * naming the field. Free of server-only imports.
 */

export const REASON_MIN = 10;
export const REASON_MAX = 1000;
export const MAX_DAYS = 365;
/** Days an approval lasts when neither the requester nor the admin said. */
export const DEFAULT_DAYS = 30;
/** Requests one user may have waiting for a decision at once. */
export const MAX_PENDING = 5;
/** Largest raise of one limit in one request (money: in the portal's currency). */
export const MAX_AMOUNT = 1_000_000;

const limitKey = z.enum(LIMIT_KEYS, { error: `limit must be one of ${LIMIT_KEYS.join(", ")}` });

const itemSchema = z
  .strictObject({
    scope: z.enum(["user", "team"], { error: 'scope must be "user" or "team"' }).default("user"),
    limit: limitKey,
    amount: z
      .number({ error: "amount must be a number" })
      .positive("amount must be greater than 0")
      .max(MAX_AMOUNT, `amount: at most ${MAX_AMOUNT}`),
  })
  .superRefine((item, ctx) => {
    if (item.limit === "maxMonthlySpend") {
      if (Math.abs(item.amount * 100 - Math.round(item.amount * 100)) > 1e-6) ctx.addIssue({ code: "custom", path: ["amount"], message: "amount: at most 2 decimals for money" });
    } else if (!Number.isInteger(item.amount)) ctx.addIssue({ code: "custom", path: ["amount"], message: `amount must be a whole number for ${item.limit}` });
    if (item.scope === "team" && LIMIT_DIMENSION[item.limit].part === "perVm") {
      ctx.addIssue({ code: "custom", path: ["scope"], message: `${item.limit} is a per-VM limit: it is raised for you (scope "user"), not for the team` });
    }
  });

const days = z
  .number({ error: "days must be a whole number of days" })
  .int("days must be a whole number of days")
  .min(1, "days: at least 1")
  .max(MAX_DAYS, `days: at most ${MAX_DAYS}`);

const reason = (label: string, min: number) =>
  text(REASON_MAX, { multiline: true, label })
    .transform((s) => s.trim())
    .refine((s) => s.length >= min, min > 1 ? `${label} must say why, in at least ${min} characters` : `${label} is required`);

/** POST /api/v1/quota-requests: what to raise (1–10 limits, each once per scope), why, and optionally for how many days. */
export const createQuotaRequestSchema = z
  .strictObject({
    items: z
      .array(itemSchema, { error: "items must be a list of {scope, limit, amount}" })
      .min(1, "items: ask for at least one limit")
      .max(LIMIT_KEYS.length, `items: at most ${LIMIT_KEYS.length}`),
    reason: reason("reason", REASON_MIN),
    days: days.optional(),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.items.forEach((item, i) => {
      const key = `${item.scope}:${item.limit}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["items", i, "limit"], message: `${item.limit} is asked twice for the same scope` });
      seen.add(key);
    });
  });

export type CreateQuotaRequestInput = z.input<typeof createQuotaRequestSchema>;
export type CreateQuotaRequest = z.output<typeof createQuotaRequestSchema>;

/** POST /api/v1/quota-requests/{id}/approve: how long the grants last (default: what was asked, else 30 days), an optional note. */
export const approveQuotaRequestSchema = z.strictObject({
  days: days.optional(),
  note: text(REASON_MAX, { multiline: true, label: "note" })
    .transform((s) => s.trim())
    .optional(),
});
export type ApproveQuotaRequest = z.output<typeof approveQuotaRequestSchema>;

/** POST /api/v1/quota-requests/{id}/refuse: the reason the requester is told. */
export const refuseQuotaRequestSchema = z.strictObject({ reason: reason("reason", 1) });
export type RefuseQuotaRequest = z.output<typeof refuseQuotaRequestSchema>;

export const QUOTA_REQUEST_STATUSES = ["pending", "approved", "refused"] as const;

/** GET /api/v1/quota-requests query: `status`, and `all=true` (admins: everyone's). */
export const listQuotaRequestsQuerySchema = z.object({
  status: z.enum(QUOTA_REQUEST_STATUSES, { error: `status must be one of ${QUOTA_REQUEST_STATUSES.join(", ")}` }).optional(),
  all: z.enum(["true", "false"], { error: "all must be true or false" }).optional().transform((v) => v === "true"),
});

// ── answers (documentation; lib/quota-requests/views.ts builds them) ─────────────────────────

const grantView = z.object({
  scope: z.enum(["user", "team"]),
  limit: z.string(),
  amount: z.number(),
  starts_at: z.string(),
  ends_at: z.string(),
  active: z.boolean().describe("Whether it counts now (it stops by itself at ends_at)"),
});

export const quotaRequestViewSchema = z.object({
  id: z.string(),
  status: z.enum(QUOTA_REQUEST_STATUSES),
  user: z.object({ id: z.string(), email: z.string() }),
  team: z.object({ id: z.string(), name: z.string() }).nullable(),
  items: z.array(z.object({ scope: z.enum(["user", "team"]), limit: z.string(), label: z.string(), amount: z.number() })),
  reason: z.string(),
  days: z.number().int().nullable(),
  created_at: z.string(),
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable().describe("The deciding admin's email"),
  decision_reason: z.string().nullable().describe("A refusal's reason, or an approval's note"),
  grants: z.array(grantView),
});
export type QuotaRequestView = z.infer<typeof quotaRequestViewSchema>;

export const quotaRequestListSchema = z.object({ requests: z.array(quotaRequestViewSchema), pending_count: z.number().int() });

export type { LimitKey };
