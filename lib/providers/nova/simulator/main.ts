/**
 * Starts the demo Nova account:  npx tsx lib/providers/nova/simulator/main.ts [--port 8443] [--host 0.0.0.0] [--tls]
 * (or NOVA_SIM_PORT / NOVA_SIM_HOST). --tls makes a self-signed certificate with the openssl CLI.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NOVA_DEMO_API_KEY, NOVA_DEMO_EMAIL, NOVA_DEMO_PASSWORD, demoNovaOptions } from "./demo";
import { startNovaSimulator } from "./server";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function selfSignedCert(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nova-sim-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=nova-simulator", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
  return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
}

async function main() {
  const port = Number(arg("port") ?? process.env.NOVA_SIM_PORT ?? 8443);
  const host = arg("host") ?? process.env.NOVA_SIM_HOST ?? "127.0.0.1";
  const tls = process.argv.includes("--tls") ? selfSignedCert() : undefined;
  const sim = await startNovaSimulator(demoNovaOptions({ port, host, tls }));
  console.log(
    [
      "Nova Cloud simulator (demo account)",
      `  URL:        ${sim.url}`,
      `  API key:    ${NOVA_DEMO_API_KEY}   (Authorization: Bearer …)`,
      `  login:      ${NOVA_DEMO_EMAIL} / ${NOVA_DEMO_PASSWORD}`,
      `  balance:    $${sim.balance()}`,
      `  nodes:      ${sim.state.nodes.map((n) => `${n.id} (${Object.entries(n.gpus).map(([t, c]) => `${c}× ${t}`).join(", ")})`).join("; ")}`,
      `  templates:  ${sim.state.templates.map((t) => `${t.vmid} ${t.name}`).join(", ")}`,
      `  control:    POST ${sim.url}/__simulator/{interrupt,balance,external-use,faults,advance-time}, GET ${sim.url}/__simulator/state`,
    ].join("\n"),
  );
  const shutdown = () => void sim.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
