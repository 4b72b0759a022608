/**
 * The benchmark's data, written into its own fresh database before the portal starts:
 * the PVE fake as a provider with one public template, a plan with room for every create of
 * the run, `users` users with a personal API token each, and the read volumes (one user with
 * `vmCount` VMs, one task with `logLines` log lines), the last two in bulk SQL.
 *
 * Needs DATABASE_URL and HANGAR_SECRET_KEY set before it is imported (the lib modules read them).
 */
import pg from "pg";
import { applyConfig } from "../../lib/config/apply";
import { createPersonalToken } from "../../lib/auth/api-tokens";
import { db } from "../../lib/db/client";
import { newTaskId } from "../../lib/tasks/ids";

export const TEMPLATE = "bench-template";
export const PROVIDER = "bench-pve";
const PASSWORD = "bench-password-not-secret";

export type Seeded = {
  /** One bearer token per load user (`bench-<i>@bench.local`). */
  tokens: string[];
  /** The user who owns the `vmCount` VMs, and their token. */
  heavy: { id: string; token: string };
  /** A task of the heavy user with `logLines` log lines. */
  logTaskId: string;
  /** A user to sign in to the wizard as (its session cookie is made by the caller). */
  wizardUser: { id: string; email: string };
};

/** Writes everything above; `simulatorUrl` is the PVE fake's base URL. */
export async function seed(options: { databaseUrl: string; simulatorUrl: string; tokenId: string; secret: string; users: number; vmCount: number; logLines: number }): Promise<Seeded> {
  const big = 1_000_000_000;
  const emails = Array.from({ length: options.users }, (_, i) => `bench-${i}@bench.local`);
  await applyConfig(
    {
      providers: [{ name: PROVIDER, kind: "pve", url: options.simulatorUrl, tokenId: options.tokenId, secret: options.secret, tls: { verify: true }, enabled: true }],
      templates: [{ name: TEMPLATE, provider: PROVIDER, node: "pve1", vmid: 9000, public: true, enabled: true, ciuser: "bench", minCpuCores: 1, minMemoryMb: 512, minDiskGb: 1 }],
      plans: [
        {
          name: "bench",
          default: true,
          perVm: { cpuCores: 64, memoryMb: 1024 * 1024, diskGb: 100_000 },
          total: { cpuCores: big, memoryMb: big, diskGb: big, vms: big },
        },
      ],
      users: [...emails, "heavy@bench.local"].map((email) => ({ email, password: PASSWORD, role: "user" as const, plan: "bench" })),
    },
    { email: "bench" },
  );

  const users = await db().user.findMany({ where: { email: { in: [...emails, "heavy@bench.local"] } }, select: { id: true, email: true } });
  const byEmail = new Map(users.map((u) => [u.email, u.id]));
  const tokens: string[] = [];
  for (const email of emails) tokens.push((await createPersonalToken(byEmail.get(email)!, { name: "bench" })).token);
  const heavyId = byEmail.get("heavy@bench.local")!;
  const heavyToken = (await createPersonalToken(heavyId, { name: "bench" })).token;

  const provider = await db().providerConnection.findUniqueOrThrow({ where: { name: PROVIDER } });
  const template = await db().template.findUniqueOrThrow({ where: { name: TEMPLATE } });
  const logTaskId = newTaskId("clone");

  // Bulk rows straight in SQL: the portal's own code paths are what is measured, not the seeding.
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "Vm" (id, name, "ownerId", "providerId", "templateId", "providerRefId", "cpuCores", "memoryMb", "diskGb", status, "createdAt", "updatedAt")
       SELECT gen_random_uuid()::text, 'heavy-' || g, $1, $2, $3, (1000000 + g)::text, 1, 512, 1, 'running', now() - (g || ' seconds')::interval, now()
       FROM generate_series(1, $4::int) g`,
      [heavyId, provider.id, template.id, options.vmCount],
    );
    await client.query(
      `INSERT INTO "Task" (id, kind, status, progress, "userId", "createdAt", "startedAt", "finishedAt", "updatedAt") VALUES ($1, 'vm.create', 'completed', 100, $2, now(), now(), now(), now())`,
      [logTaskId, heavyId],
    );
    await client.query(
      `INSERT INTO "TaskLog" ("taskId", level, line, at) SELECT $1, 'info', 'log line ' || g || ': the provider wrote something of ordinary length here', now() FROM generate_series(1, $2::int) g`,
      [logTaskId, options.logLines],
    );
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
  return { tokens, heavy: { id: heavyId, token: heavyToken }, logTaskId, wizardUser: { id: byEmail.get(emails[0]!)!, email: emails[0]! } };
}
