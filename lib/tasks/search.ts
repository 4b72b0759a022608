import { z } from "zod";
import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { db, Db } from "../db/client";
import { env } from "../env";
import { AppError } from "../errors";

/**
 * Finding any task among a million (issue 12): one search behind the task monitor and
 * GET /api/v1/tasks. Support and admins search every task, a user their own (requested by them
 * or on their VMs). Newest first with keyset pagination on (createdAt, id): the cursor is the
 * last row's position, so a page costs the same at any depth. The indexes that keep each query
 * under 200 ms at 1M tasks are in prisma/migrations/20261201050100_task_search.
 */
export const TASK_STATUSES = ["pending", "in_progress", "completed", "failed", "cancelled"] as const;
/** `stuck`: pending or running without a heartbeat for HANGAR_STUCK_MINUTES. */
export const STATUS_FILTERS = [...TASK_STATUSES, "active", "stuck"] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const DEFAULT_TASK_LIMIT = 50;
export const MAX_TASK_LIMIT = 200;
/** Up to this many matches of one source of a search word are read as a list of ids (wordCondition). */
const FEW = 1000;

/** An ISO 8601 date or time; a bare day as `to` means the end of that day (UTC). */
const date = (name: string, endOfDay = false) =>
  z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), `${name} must be a date (ISO 8601, e.g. 2026-11-30 or 2026-11-30T12:00:00Z)`)
    .transform((s) => (endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(Date.parse(s) + 86_400_000 - 1) : new Date(s)));

const emptyToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

/** The search's parameters as the API's query string and the monitor's URL carry them. */
export const taskSearchSchema = z
  .object({
    q: z.preprocess(emptyToUndefined, z.string().trim().max(200, "q must be at most 200 characters").optional()),
    status: z.preprocess(emptyToUndefined, z.enum(STATUS_FILTERS, { message: `status must be one of ${STATUS_FILTERS.join(", ")}` }).optional()),
    kind: z.preprocess(emptyToUndefined, z.string().trim().max(100, "kind must be at most 100 characters").optional()),
    provider: z.preprocess(emptyToUndefined, z.string().trim().max(200, "provider must be at most 200 characters").optional()),
    user: z.preprocess(emptyToUndefined, z.string().trim().max(320, "user must be at most 320 characters").optional()),
    from: z.preprocess(emptyToUndefined, date("from").optional()),
    to: z.preprocess(emptyToUndefined, date("to", true).optional()),
    limit: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ message: "limit must be a number" }).int("limit must be a whole number").min(1, "limit must be at least 1").max(MAX_TASK_LIMIT, `limit must be at most ${MAX_TASK_LIMIT}`).default(DEFAULT_TASK_LIMIT),
    ),
    cursor: z.preprocess(emptyToUndefined, z.string().max(300, "cursor is not valid").optional()),
  })
  .strict();
export type TaskSearch = z.input<typeof taskSearchSchema>;
type Parsed = z.output<typeof taskSearchSchema>;

/** One row of the monitor and of GET /api/v1/tasks. `error_detail` is present only for support and admins. */
export type TaskRow = {
  task_id: string;
  kind: string;
  status: string;
  progress: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  /** Seconds from start (or creation) to its end, or to now while it runs. */
  duration_seconds: number;
  /** Pending or running without a heartbeat for HANGAR_STUCK_MINUTES. */
  stuck: boolean;
  cancel_requested: boolean;
  error: string | null;
  error_detail?: string | null;
  user: { id: string; email: string };
  vm: { id: string; name: string; deleted: boolean } | null;
  provider: { name: string; kind: string } | null;
};
export type TaskPage = { tasks: TaskRow[]; next_cursor: string | null };

/** `createdAt|id` of the last row, base64url: where the next page starts. */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const bar = text.indexOf("|");
  const at = new Date(text.slice(0, bar));
  const id = text.slice(bar + 1);
  if (bar < 0 || Number.isNaN(at.getTime()) || !id) throw new AppError("bad_request", "cursor is not valid (use next_cursor from the previous page)");
  return { at, id };
}

/** `%` and `_` are literal in a search word. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

type RawRow = {
  id: string;
  kind: string;
  status: string;
  progress: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
  cancelRequestedAt: Date | null;
  error: string | null;
  errorDetail: string | null;
  userId: string;
  email: string;
  vmId: string | null;
  vmName: string | null;
  vmDeletedAt: Date | null;
  providerName: string | null;
  providerKind: string | null;
};

/**
 * What a search word matches, each source resolved through its own index first: a task id's
 * beginning, a fragment of a VM's name or of a user's email (trigram indexes: 3 characters or
 * more; shorter words match whole names and emails only), a provider object id (a VM's, whole)
 * or a provider task id (whole or its beginning). A source with few matches (the usual search:
 * one VM, one user) becomes a list of ids, which the task query reads through the Task indexes;
 * a source with many (a common fragment) stays a subquery, which the newest-first scan checks
 * row by row and satisfies quickly precisely because it is common. Null: nothing matches.
 */
async function wordCondition(word: string): Promise<Db.Prisma.Sql | null> {
  const sql = Db.Prisma.sql;
  const prefix = `${likeEscape(word)}%`;
  const fragment = word.length >= 3 ? `%${likeEscape(word)}%` : likeEscape(word);
  const sources = [
    { column: sql`t.id`, from: sql`SELECT id FROM "Task" WHERE id LIKE ${prefix}` },
    { column: sql`t.id`, from: sql`SELECT "taskId" FROM "TaskStep" WHERE "providerTaskId" LIKE ${prefix}` },
    { column: sql`t."vmId"`, from: sql`SELECT id FROM "Vm" WHERE name ILIKE ${fragment} OR "providerRefId" = ${word}` },
    { column: sql`t."userId"`, from: sql`SELECT id FROM "User" WHERE email ILIKE ${fragment}` },
  ];
  const any = (await Promise.all(sources.map((src) => idsOrSubquery(src.column, src.from)))).filter((c): c is Db.Prisma.Sql => c !== null);
  return any.length ? sql`(${Db.Prisma.join(any, " OR ")})` : null;
}

/** `column` among the ids `from` selects: as a list when they are few (see wordCondition), else as the subquery; null when there are none. */
async function idsOrSubquery(column: Db.Prisma.Sql, from: Db.Prisma.Sql): Promise<Db.Prisma.Sql | null> {
  const sql = Db.Prisma.sql;
  const ids = (await db().$queryRaw<{ id: string }[]>`SELECT DISTINCT x.id FROM (${from} LIMIT ${FEW + 1}) AS x(id)`).map((r) => r.id);
  if (ids.length > FEW) return sql`${column} IN (${from})`;
  return ids.length ? sql`${column} = ANY(${ids})` : null;
}

/** A task's duration in seconds: start (or creation) to end, or to `now` while it runs. */
function durationOf(row: Pick<RawRow, "createdAt" | "startedAt" | "finishedAt">, now: Date): number {
  const from = row.startedAt ?? row.createdAt;
  return Math.max(0, Math.round(((row.finishedAt ?? now).getTime() - from.getTime()) / 1000));
}

/**
 * Searches tasks for `user` (see the module's comment). `input`: the query's parameters
 * (validated here: a 400 names the bad one). An unknown provider or user matches nothing.
 */
export async function searchTasks(user: AuthenticatedUser, input: unknown, now = new Date()): Promise<TaskPage> {
  const parsed = taskSearchSchema.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", parsed.error.issues.map((i) => i.message).join("; "));
  return runSearch(user, parsed.data, now);
}

async function runSearch(user: AuthenticatedUser, p: Parsed, now: Date): Promise<TaskPage> {
  const staff = can(user.role, "tasks.monitor");
  const sql = Db.Prisma.sql;
  const where: Db.Prisma.Sql[] = [];
  if (!staff) where.push(sql`(t."userId" = ${user.id} OR t."vmId" IN (SELECT id FROM "Vm" WHERE "ownerId" = ${user.id}))`);
  const stuckBefore = new Date(now.getTime() - env().HANGAR_STUCK_MINUTES * 60_000);
  if (p.status === "active") where.push(sql`t.status IN ('pending', 'in_progress')`);
  else if (p.status === "stuck") where.push(sql`t.status IN ('pending', 'in_progress') AND COALESCE(t."heartbeatAt", t."startedAt", t."createdAt") < ${stuckBefore}`);
  else if (p.status) where.push(sql`t.status = ${p.status}::"TaskStatus"`);
  if (p.kind) where.push(sql`t.kind = ${p.kind}`);
  if (p.provider) {
    // The provider's VMs, as a list when few (a rarely used provider stays fast too).
    const condition = await idsOrSubquery(sql`t."vmId"`, sql`SELECT v2.id FROM "Vm" v2 JOIN "ProviderConnection" pc2 ON pc2.id = v2."providerId" WHERE pc2.name = ${p.provider}`);
    if (!condition) return { tasks: [], next_cursor: null };
    where.push(condition);
  }
  if (p.user && staff) where.push(sql`t."userId" = (SELECT id FROM "User" WHERE email = ${p.user.toLowerCase()} OR id = ${p.user} LIMIT 1)`);
  if (p.from) where.push(sql`t."createdAt" >= ${p.from}`);
  if (p.to) where.push(sql`t."createdAt" <= ${p.to}`);
  if (p.cursor) {
    const c = decodeCursor(p.cursor);
    where.push(sql`(t."createdAt", t.id) < (${c.at}, ${c.id})`);
  }
  if (p.q) {
    const condition = await wordCondition(p.q);
    if (!condition) return { tasks: [], next_cursor: null };
    where.push(condition);
  }
  const rows = await db().$queryRaw<RawRow[]>`
    SELECT t.id, t.kind, t.status::text AS status, t.progress, t."createdAt", t."startedAt", t."finishedAt", t."heartbeatAt",
           t."cancelRequestedAt", t.error, t."errorDetail", t."userId", u.email, t."vmId", v.name AS "vmName",
           v."deletedAt" AS "vmDeletedAt", pc.name AS "providerName", pc.kind::text AS "providerKind"
      FROM "Task" t
      JOIN "User" u ON u.id = t."userId"
      LEFT JOIN "Vm" v ON v.id = t."vmId"
      LEFT JOIN "ProviderConnection" pc ON pc.id = v."providerId"
     WHERE ${where.length ? Db.Prisma.join(where, " AND ") : sql`TRUE`}
     ORDER BY t."createdAt" DESC, t.id DESC
     LIMIT ${p.limit + 1}`;
  const page = rows.slice(0, p.limit);
  const last = page[page.length - 1];
  return {
    tasks: page.map((r) => ({
      task_id: r.id,
      kind: r.kind,
      status: r.status,
      progress: r.progress,
      created_at: r.createdAt.toISOString(),
      started_at: r.startedAt?.toISOString() ?? null,
      finished_at: r.finishedAt?.toISOString() ?? null,
      heartbeat_at: r.heartbeatAt?.toISOString() ?? null,
      duration_seconds: durationOf(r, now),
      stuck: (r.status === "pending" || r.status === "in_progress") && (r.heartbeatAt ?? r.startedAt ?? r.createdAt) < stuckBefore,
      cancel_requested: r.cancelRequestedAt !== null,
      error: r.error,
      ...(staff ? { error_detail: r.errorDetail } : {}),
      user: { id: r.userId, email: r.email },
      vm: r.vmId && r.vmName !== null ? { id: r.vmId, name: r.vmName, deleted: r.vmDeletedAt !== null } : null,
      provider: r.providerName && r.providerKind ? { name: r.providerName, kind: r.providerKind } : null,
    })),
    next_cursor: rows.length > p.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

/** A count shown as "10,000+" past this: an exact count of a million rows costs more than the whole page. */
export const COUNT_CAP = 10_000;

/**
 * The monitor's tiles: how many tasks are running, stuck (no heartbeat for
 * HANGAR_STUCK_MINUTES), failed and completed, each counted up to COUNT_CAP (then `capped`).
 */
export async function taskCounts(now = new Date()): Promise<{ active: number; stuck: number; failed: number; completed: number; capped: Record<string, boolean> }> {
  const stuckBefore = new Date(now.getTime() - env().HANGAR_STUCK_MINUTES * 60_000);
  const cap = COUNT_CAP + 1;
  const count = async (q: Promise<{ n: bigint }[]>) => Number((await q)[0]?.n ?? 0);
  const [active, stuck, failed, completed] = await Promise.all([
    count(db().$queryRaw`SELECT count(*) AS n FROM (SELECT 1 FROM "Task" WHERE status IN ('pending', 'in_progress') LIMIT ${cap}) s`),
    count(db().$queryRaw`SELECT count(*) AS n FROM (SELECT 1 FROM "Task" WHERE status IN ('pending', 'in_progress') AND COALESCE("heartbeatAt", "startedAt", "createdAt") < ${stuckBefore} LIMIT ${cap}) s`),
    count(db().$queryRaw`SELECT count(*) AS n FROM (SELECT 1 FROM "Task" WHERE status = 'failed' LIMIT ${cap}) s`),
    count(db().$queryRaw`SELECT count(*) AS n FROM (SELECT 1 FROM "Task" WHERE status = 'completed' LIMIT ${cap}) s`),
  ]);
  const capped = { active: active > COUNT_CAP, stuck: stuck > COUNT_CAP, failed: failed > COUNT_CAP, completed: completed > COUNT_CAP };
  return { active: Math.min(active, COUNT_CAP), stuck: Math.min(stuck, COUNT_CAP), failed: Math.min(failed, COUNT_CAP), completed: Math.min(completed, COUNT_CAP), capped };
}

/** GET /api/v1/tasks's answer, for the OpenAPI document (lib/api/openapi.ts). */
export const taskPageSchema = z.object({
  tasks: z.array(
    z.object({
      task_id: z.string(),
      kind: z.string(),
      status: z.enum(TASK_STATUSES),
      progress: z.number().int(),
      created_at: z.string(),
      started_at: z.string().nullable(),
      finished_at: z.string().nullable(),
      heartbeat_at: z.string().nullable(),
      duration_seconds: z.number().int(),
      stuck: z.boolean(),
      cancel_requested: z.boolean(),
      error: z.string().nullable(),
      error_detail: z.string().nullable().optional().describe("The provider's own words: support and admins only"),
      user: z.object({ id: z.string(), email: z.string() }),
      vm: z.object({ id: z.string(), name: z.string(), deleted: z.boolean() }).nullable(),
      provider: z.object({ name: z.string(), kind: z.string() }).nullable(),
    }),
  ),
  next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
});
