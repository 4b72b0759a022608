/**
 * Starts the demo cluster:  npx tsx lib/providers/pve/simulator/main.ts [--port 8006] [--host 0.0.0.0] [--tls]
 * (or PVE_SIM_PORT / PVE_SIM_HOST). --tls makes a self-signed certificate with the openssl CLI.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO_PASSWORD, DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions } from "./demo";
import { startPveSimulator } from "./server";
import type { PveVersion } from "./types";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function selfSignedCert(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pve-sim-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=pve-simulator", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
  return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
}

async function main() {
  const positional = process.argv.slice(2).find((a) => /^\d+$/.test(a));
  const port = Number(arg("port") ?? positional ?? process.env.PVE_SIM_PORT ?? 8006);
  const host = arg("host") ?? process.env.PVE_SIM_HOST ?? "127.0.0.1";
  const version = (arg("version") ?? process.env.PVE_SIM_VERSION ?? "9.1") as PveVersion;
  const tls = process.argv.includes("--tls") ? selfSignedCert() : undefined;
  const sim = await startPveSimulator(demoClusterOptions({ port, host, version, tls, controlApi: true }));
  const lines = [
    `PVE simulator (Proxmox VE ${version}, ${sim.schema.source === "file" ? `schema ${sim.schema.file}` : "built-in schema rules"})`,
    `  URL:        ${sim.url}/api2/json`,
    `  API token:  ${DEMO_TOKEN_ID}=${DEMO_TOKEN_SECRET}`,
    `              (header  Authorization: PVEAPIToken=${DEMO_TOKEN_ID}=${DEMO_TOKEN_SECRET})`,
    `  login:      root@pam / ${DEMO_PASSWORD}`,
    `  nodes:      ${[...sim.state.nodes.keys()].join(", ")}`,
    `  templates:  ${[...sim.state.vms.values()].map((v) => `${v.vmid} ${v.config.name} (${v.node})`).join(", ")}`,
    `  control:    POST ${sim.url}/__simulator/faults, GET ${sim.url}/__simulator/state`,
  ];
  console.log(lines.join("\n"));
  const shutdown = () => void sim.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
