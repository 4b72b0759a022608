import { db } from "../db/client";
import { log } from "../log";
import { getBoss } from "../jobs/boss";
import { queues } from "../jobs/queues";
import { quotaSummary, type ScopeSummary } from "../quota/summary";
import type { Resources } from "../quota/usage";
import { notify } from "./notify";

/** Levels a user is told about, in percent of an aggregate limit. */
export const QUOTA_LEVELS = [80, 100] as const;

const DIMENSIONS: { key: keyof Resources; name: string; unit: string }[] = [
  { key: "cpuCores", name: "vCPU cores", unit: "cores" },
  { key: "memoryMb", name: "memory", unit: "MB" },
  { key: "diskGb", name: "disk", unit: "GB" },
  { key: "gpus", name: "GPUs", unit: "GPUs" },
  { key: "vms", name: "VMs", unit: "VMs" },
  { key: "monthlySpend", name: "monthly spend", unit: "" },
];

/** 100 at or over the limit, 80 at or over 80 % of it, else 0. Usage includes reservations of requests in flight. */
export function quotaLevel(used: number, limit: number | null): 0 | 80 | 100 {
  if (limit === null || !(limit > 0)) return 0;
  const ratio = used / limit;
  if (ratio >= 1 - 1e-9) return 100;
  if (ratio >= 0.8 - 1e-9) return 80;
  return 0;
}

type Reading = { scope: "user" | "team"; scopeName: string; dimension: keyof Resources; name: string; unit: string; used: number; limit: number; level: 0 | 80 | 100 };

function readings(scope: "user" | "team", s: ScopeSummary | null): Reading[] {
  if (!s) return [];
  return DIMENSIONS.flatMap((d) => {
    const limit = s.limits[d.key];
    if (limit === null || !(limit > 0)) return [];
    const used = Math.round((s.used[d.key] + s.reserved[d.key]) * 100) / 100;
    return [{ scope, scopeName: s.name, dimension: d.key, name: d.name, unit: d.unit, used, limit, level: quotaLevel(used, limit) }];
  });
}

const amount = (r: Reading, n: number) => (r.dimension === "monthlySpend" ? n.toFixed(2) : String(n));

function message(r: Reading, currency: string) {
  const unit = r.dimension === "monthlySpend" ? currency : r.unit;
  const whose = r.scope === "team" ? `Your team ${r.scopeName}` : "You";
  const of = `${amount(r, r.used)} of ${amount(r, r.limit)} ${unit}`.trim();
  const percent = Math.floor((r.used / r.limit) * 100);
  if (r.level === 100) {
    return {
      kind: "quota_reached" as const,
      title: r.scope === "team" ? `Team ${r.scopeName}: ${r.name} quota used up` : `Your ${r.name} quota is used up`,
      body: `${whose} ${r.scope === "team" ? "has" : "have"} used ${of} (${percent} %). Requests that need more ${r.name} are refused until some is freed or the limit is raised.`,
      link: "/quota",
    };
  }
  return {
    kind: "quota_near" as const,
    title: r.scope === "team" ? `Team ${r.scopeName}: ${r.name} quota ${percent} % used` : `Your ${r.name} quota is ${percent} % used`,
    body: `${whose} ${r.scope === "team" ? "has" : "have"} used ${of} (${percent} %).`,
    link: "/quota",
  };
}

/**
 * Tells the user when they (or their team) reach 80 % or 100 % of an aggregate limit (cores,
 * memory, disk, GPUs, VMs, monthly spend; reservations of requests in flight count), once per
 * crossing: the last level told is kept per scope and dimension (QuotaAlert), so a second call at
 * the same level says nothing, a higher level says it again, and falling below a level re-arms it
 * silently. Concurrent calls for one user tell each crossing once (the user's alert rows are
 * locked). Call it after anything that changes a user's use (a request accepted, a VM resized or
 * deleted). Never throws: a problem is logged. Returns the notifications' ids.
 */
export async function checkQuotaThresholds(userId: string): Promise<string[]> {
  try {
    const summary = await quotaSummary(userId);
    const current = [...readings("user", summary.user), ...readings("team", summary.team)];
    return await db().$transaction(async (tx) => {
      // Lock the user's row: concurrent checks for one user queue here (even before their alert rows exist).
      await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
      const stored = await tx.quotaAlert.findMany({ where: { userId } });
      const last = new Map(stored.map((a) => [`${a.scope}:${a.dimension}`, a.level]));
      const told: string[] = [];
      for (const r of current) {
        const previous = last.get(`${r.scope}:${r.dimension}`) ?? 0;
        if (r.level === previous) continue;
        await tx.quotaAlert.upsert({
          where: { userId_scope_dimension: { userId, scope: r.scope, dimension: r.dimension } },
          create: { userId, scope: r.scope, dimension: r.dimension, level: r.level },
          update: { level: r.level },
        });
        if (r.level > previous) told.push((await notify(userId, message(r, summary.currency), { tx })).id);
      }
      // A dimension whose limit was removed (or a team left) re-arms too.
      const seen = new Set(current.map((r) => `${r.scope}:${r.dimension}`));
      const stale = stored.filter((a) => a.level > 0 && !seen.has(`${a.scope}:${a.dimension}`));
      for (const a of stale) await tx.quotaAlert.update({ where: { userId_scope_dimension: { userId, scope: a.scope, dimension: a.dimension } }, data: { level: 0 } });
      return told;
    });
  } catch (error) {
    log.warn({ userId, reason: error instanceof Error ? error.message.slice(0, 300) : "unknown" }, "could not check quota thresholds");
    return [];
  }
}

/**
 * Asks a worker to run checkQuotaThresholds(`userId`) soon (queue `quota.check`), so that
 * accepting a create or a resize does not wait for it. Checks asked for one user while one is
 * still queued are that one (it reads the use as it is when it runs). Never throws: a problem is
 * logged, and the user's next finished task checks again.
 */
export async function queueQuotaCheck(userId: string): Promise<void> {
  try {
    const boss = await getBoss();
    await boss.send(queues.quotaCheck.name, { userId }, { ...queues.quotaCheck.sendOptions, singletonKey: userId });
  } catch (error) {
    log.warn({ userId, reason: error instanceof Error ? error.message.slice(0, 300) : "unknown" }, "could not queue a quota check");
  }
}
