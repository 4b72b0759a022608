import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_API_KEY, DEMO_PASSWORD, DEMO_USER, demoVergeOptions } from "./demo";
import { startVergeSimulator, type VergeSimulator, type VergeSimulatorOptions } from "./server";

/** A throw-away self-signed certificate for 127.0.0.1 (openssl CLI, EC key: fast). */
export function selfSignedCert(): { key: string; cert: string; fingerprint256: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "verge-sim-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=vergeos-sim", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
      { stdio: "ignore" },
    );
    const certPem = readFileSync(cert, "utf8");
    return { key: readFileSync(key, "utf8"), cert: certPem, fingerprint256: new X509Certificate(certPem).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { DEMO_API_KEY as TEST_API_KEY, DEMO_USER as TEST_USER, DEMO_PASSWORD as TEST_PASSWORD };

/** The demo system over HTTPS (self-signed) with fast power changes, for tests. */
export async function startTestVerge(overrides: Partial<VergeSimulatorOptions> = {}): Promise<VergeSimulator & { fingerprint256: string; cert: string }> {
  const tls = selfSignedCert();
  const sim = await startVergeSimulator(demoVergeOptions({ tls: { key: tls.key, cert: tls.cert }, powerOnMs: 30, powerOffMs: 30, agentDelayMs: 20, ...overrides }));
  return Object.assign(sim, { fingerprint256: tls.fingerprint256, cert: tls.cert });
}
