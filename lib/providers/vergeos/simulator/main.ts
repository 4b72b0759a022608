/**
 * Runs the VergeOS simulator with the demo system: `npx tsx lib/providers/vergeos/simulator/main.ts
 * [--port 8443] [--host 127.0.0.1] [--tls]` (or VERGE_SIM_PORT / VERGE_SIM_HOST). --tls makes a
 * self-signed certificate with the openssl CLI and prints its SHA-256 fingerprint.
 */
import { DEMO_API_KEY, DEMO_PASSWORD, DEMO_USER, demoVergeOptions } from "./demo";
import { startVergeSimulator } from "./server";
import { selfSignedCert } from "./test-helpers";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg("port") ?? process.env.VERGE_SIM_PORT ?? 0);
const host = arg("host") ?? process.env.VERGE_SIM_HOST ?? "127.0.0.1";
const cert = process.argv.includes("--tls") ? selfSignedCert() : undefined;
const sim = await startVergeSimulator(demoVergeOptions({ port, host, tls: cert ? { key: cert.key, cert: cert.cert } : undefined }));
console.log(`VergeOS simulator at ${sim.url} (API ${sim.url}/api/v4)`);
console.log(`API key: ${DEMO_API_KEY}   login: ${DEMO_USER} / ${DEMO_PASSWORD}`);
if (cert) console.log(`certificate SHA-256 fingerprint: ${cert.fingerprint256}`);
const shutdown = () => void sim.stop().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
