/**
 * The benchmark's PVE fake, in a process of its own so that its work is not counted against the
 * load generator: the simulator of lib/providers/pve/simulator with every task lasting
 * `--task-ms` milliseconds, nodes and storages too large to fill, and a guest agent that answers
 * as soon as the VM runs. Prints one JSON line `{"url": …}` once it listens.
 *
 *   npx tsx scripts/bench/simulator.ts --task-ms 50 [--port 0]
 */
import { DEMO_PASSWORD, DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, startPveSimulator } from "../../lib/providers/pve/simulator";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const BENCH_TEMPLATE_VMID = 9000;

async function main(): Promise<void> {
  const taskMs = Number(arg("task-ms", "50"));
  const port = Number(arg("port", "0"));
  const huge = 64 * 1024 * 1024; // MB: 64 TB per node, never the limit of a benchmark
  const sim = await startPveSimulator({
    version: "9.1",
    port,
    nodes: [
      { name: "pve1", cpus: 4096, memoryMb: huge },
      { name: "pve2", cpus: 4096, memoryMb: huge },
    ],
    storages: [{ storage: "NFS", type: "nfs", content: ["images", "iso", "backup"], shared: true, totalGb: 1024 * 1024 * 1024 }],
    templates: [{ node: "pve1", vmid: BENCH_TEMPLATE_VMID, name: "bench-template", cores: 1, memory: 512, diskGb: 1, ostype: "l26", storage: "NFS" }],
    tokens: [{ tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }],
    users: [{ username: "root@pam", password: DEMO_PASSWORD }],
    firstVmid: 100,
    agentDelayMs: 0,
    authFailureDelayMs: 0,
    taskDurationMs: taskMs,
    // The request log is kept in memory: a long run would grow it without end.
    maxRequestLog: 1000,
    clusterName: "hangar-bench",
  });
  process.stdout.write(JSON.stringify({ url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }) + "\n");
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
