import { issueSessionToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { stopBoss } from "../jobs/boss";
import { startWorker } from "../jobs/worker";
import type { HangarConfigInput } from "../schemas/config";
import { NOVA_DEMO_API_KEY, demoNovaOptions, startNovaSimulator, type NovaSimulator } from "../providers/nova/simulator";
import { newEd25519PublicKey } from "../providers/nova/test-helpers";
import { useMigratedDatabase } from "./test-db";

type PlanLimits = Pick<NonNullable<HangarConfigInput["plans"]>[number], "perVm" | "total">;

/**
 * For integration tests of Nova rentals: a migrated database, the Nova simulator (balance
 * 5000.00, state changes in 100-150 ms), a provider "nova" with the template
 * "stable-diffusion", one user ada@example.com on the default plan "gpu" of `limits` with a
 * saved SSH key "key-1" and a session token, and a worker in this process. `stop` ends it all.
 */
export async function startNovaRentals(limits: PlanLimits): Promise<{ sim: NovaSimulator; token: string; stop: () => Promise<void> }> {
  process.env.HANGAR_TASK_HEARTBEAT_SECONDS = "10";
  process.env.HANGAR_JOB_MONITOR_SECONDS = "2";
  // eslint-disable-next-line react-hooks/rules-of-hooks -- a test database, not a React hook
  const database = await useMigratedDatabase();
  const sim = await startNovaSimulator(demoNovaOptions({ balance: "5000.00", durations: { creatingMs: 150, startingMs: 150, stoppingMs: 100, purgeMs: 150 } }));
  await applyConfig({
    providers: [{ name: "nova", kind: "nova", url: sim.url, apiKey: NOVA_DEMO_API_KEY }],
    templates: [{ name: "stable-diffusion", provider: "nova", public: true, nova: { templateVmid: 102 }, minDiskGb: 50 }],
    plans: [{ name: "gpu", default: true, ...limits }],
    users: [{ email: "ada@example.com", password: "long-enough-pw", role: "user", plan: "gpu" }],
  });
  const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  await db().sshKey.create({ data: { id: "key-1", userId: ada.id, name: "laptop", publicKey: newEd25519PublicKey("ada@laptop"), fingerprint: "SHA256:test" } });
  const token = (await issueSessionToken(ada.id)).token;
  await startWorker();
  return {
    sim,
    token,
    stop: async () => {
      await stopBoss();
      await sim.stop();
      await database.drop();
    },
  };
}
