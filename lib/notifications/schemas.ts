import { z } from "zod";
import { text } from "../schemas/text";
import { NOTIFICATION_KINDS } from "./kinds";

/**
 * Request shapes of the notification API and actions (shared by the routes, the server actions
 * and the OpenAPI document). Strict: unknown keys, wrong types and loose values are a 400 naming
 * the field. Free of server-only imports.
 */

/** Largest page of GET /api/v1/notifications. */
export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 20;

/** GET /api/v1/notifications query: `unread=true|false`, `limit` 1–100, `cursor` from the previous page. */
export const listQuerySchema = z.object({
  unread: z.enum(["true", "false"], { error: "unread must be true or false" }).optional().transform((v) => v === "true"),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, `limit must be a whole number from 1 to ${MAX_LIMIT}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_LIMIT, `limit must be a whole number from 1 to ${MAX_LIMIT}`)
    .optional(),
  cursor: text(200, { label: "cursor" }).optional(),
});

export type ListQuery = z.infer<typeof listQuerySchema>;

const notificationId = text(200, { label: "ids[]" }).min(1, "ids[] must not be empty");

const markReadIds = z.strictObject({
  ids: z.array(notificationId, { error: "ids must be a list of notification ids" }).min(1, "ids must not be empty").max(MAX_LIMIT, `ids: at most ${MAX_LIMIT} per request`),
});
const markReadAll = z.strictObject({ all: z.literal(true, { error: "all must be true" }) });

/** POST /api/v1/notifications/read: `{ids: [...]}` (at most 100) or `{all: true}`. */
export const markReadSchema = z.union([markReadIds, markReadAll]);

/** Parses a mark-read request; the message names the field (`ids`, `all`) of the form it looks like. */
export function parseMarkRead(input: unknown): ReturnType<typeof markReadSchema.safeParse> {
  const looksLikeAll = input !== null && typeof input === "object" && !Array.isArray(input) && "all" in input && !("ids" in input);
  return looksLikeAll ? markReadAll.safeParse(input) : markReadIds.safeParse(input);
}

export type MarkReadInput = z.infer<typeof markReadSchema>;

/** The Profile card: which kinds come by email (kinds left out keep their current setting). */
export const emailPreferencesSchema = z.strictObject(
  Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, z.boolean({ error: `${k} must be true or false` }).optional()])) as Record<
    (typeof NOTIFICATION_KINDS)[number],
    z.ZodOptional<z.ZodBoolean>
  >,
);

export type EmailPreferencesInput = z.infer<typeof emailPreferencesSchema>;

/** One notification as GET /api/v1/notifications answers it (documentation; lib/notifications/notify.ts builds it). */
export const notificationSchema = z.object({
  id: z.string(),
  kind: z.string().describe(`One of ${NOTIFICATION_KINDS.join(", ")} (more may be added)`),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable().describe("A portal path, e.g. /vms/<id> or /tasks/<id>"),
  read: z.boolean(),
  read_at: z.string().nullable(),
  created_at: z.string(),
});

export const notificationListSchema = z.object({
  notifications: z.array(notificationSchema),
  next_cursor: z.string().nullable().describe("Pass as `cursor` for the next (older) page; null on the last page"),
  unread_count: z.number().int(),
});

export const markReadResponseSchema = z.object({ updated: z.number().int().describe("How many unread notifications became read") });
