import { afterEach, describe, expect, it } from "vitest";
import type { PveSimulator } from "./server";
import { PASSWORD, TOKEN_ID, TOKEN_SECRET, api, data, login, startTestSim } from "./test-helpers";

let sim: PveSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe("API token authentication", () => {
  it("accepts Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET without CSRF token, also for writes", async () => {
    sim = await startTestSim();
    const r = await api(sim, "GET", "/version");
    expect(r.status).toBe(200);
    expect(data<{ release: string }>(r).release).toBe("9.1");
    const w = await api(sim, "PUT", "/nodes/pve1/qemu/100/config", { form: { description: "via token" } });
    expect(w.status).toBe(200);
    expect(data(w)).toBeNull();
    expect(sim.requests.at(-1)?.user).toBe(TOKEN_ID);
  });

  it("answers a missing credential with 401, empty body and the reason 'No ticket'", async () => {
    sim = await startTestSim();
    const r = await api(sim, "GET", "/nodes", { auth: false });
    expect(r.status).toBe(401);
    expect(r.reason).toBe("No ticket");
    expect(r.text).toBe("");
  });

  it("9.1 gives one reason for every failed token/ticket check", async () => {
    sim = await startTestSim();
    for (const auth of [`PVEAPIToken=${TOKEN_ID}=wrong`, `PVEAPIToken=root@pam!nope=${TOKEN_SECRET}`, "PVEAPIToken=garbage"]) {
      const r = await api(sim, "GET", "/nodes", { auth });
      expect(r.status).toBe(401);
      expect(r.reason).toBe("Authentication failed!");
      expect(r.text).toBe("");
    }
  });

  it("8.4 reports the detailed reason in the status line", async () => {
    sim = await startTestSim({ version: "8.4" });
    expect((await api(sim, "GET", "/nodes", { auth: `PVEAPIToken=${TOKEN_ID}=wrong` })).reason).toBe("invalid token value!");
    expect((await api(sim, "GET", "/nodes", { auth: `PVEAPIToken=root@pam!nope=${TOKEN_SECRET}` })).reason).toBe("no such token 'nope' for user 'root@pam'");
    expect((await api(sim, "GET", "/nodes", { auth: { ticket: "PVE:root@pam:65000000::AAAA" } })).reason).toBe("permission denied - invalid PVE ticket");
  });

  it("delays failed authentication (configurable; real PVE: 3 s)", async () => {
    sim = await startTestSim({ authFailureDelayMs: 250 });
    const t0 = Date.now();
    const r = await api(sim, "GET", "/nodes", { auth: "PVEAPIToken=x@pam!y=z" });
    expect(r.status).toBe(401);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    const t1 = Date.now();
    expect((await api(sim, "GET", "/nodes")).status).toBe(200);
    expect(Date.now() - t1).toBeLessThan(200);
  });
});

describe("ticket authentication", () => {
  it("POST /access/ticket returns username, ticket and CSRFPreventionToken", async () => {
    sim = await startTestSim();
    const r = await api(sim, "POST", "/access/ticket", { form: { username: "root", realm: "pam", password: PASSWORD }, auth: false });
    expect(r.status).toBe(200);
    const d = data<Record<string, unknown>>(r);
    expect(d.username).toBe("root@pam");
    expect(d.ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::\S+$/);
    expect(d.CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:\S+$/);
  });

  it("GET works with the ticket cookie alone; writes need the CSRFPreventionToken header", async () => {
    sim = await startTestSim();
    const { ticket, csrf } = await login(sim);
    expect((await api(sim, "GET", "/nodes", { auth: { ticket } })).status).toBe(200);

    const noCsrf = await api(sim, "PUT", "/nodes/pve1/qemu/100/config", { form: { description: "x" }, auth: { ticket } });
    expect(noCsrf.status).toBe(401);
    expect(noCsrf.reason).toBe("Permission denied - invalid csrf token");
    expect(noCsrf.text).toBe("");

    const wrongCsrf = await api(sim, "PUT", "/nodes/pve1/qemu/100/config", { form: { description: "x" }, auth: { ticket, csrf: `${csrf.slice(0, 9)}AAAA` } });
    expect(wrongCsrf.reason).toBe("Permission denied - invalid csrf token");

    const ok = await api(sim, "PUT", "/nodes/pve1/qemu/100/config", { form: { description: "x" }, auth: { ticket, csrf } });
    expect(ok.status).toBe(200);
    expect(sim.requests.at(-1)?.user).toBe("root@pam");
  });

  it("a wrong password is a 401 'authentication failure' (with the JSON envelope of the API handler)", async () => {
    sim = await startTestSim({ authFailureDelayMs: 100 });
    const t0 = Date.now();
    const r = await api(sim, "POST", "/access/ticket", { form: { username: "root@pam", password: "nope" }, auth: false });
    expect(r.status).toBe(401);
    expect(r.reason).toBe("authentication failure");
    expect(r.body).toEqual({ data: null, message: "authentication failure\n" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it("tickets expire after two hours", async () => {
    let now = Date.now();
    sim = await startTestSim({ clock: () => now });
    const { ticket } = await login(sim);
    now += 2 * 3600 * 1000 - 60_000;
    expect((await api(sim, "GET", "/nodes", { auth: { ticket } })).status).toBe(200);
    now += 120_000;
    const r = await api(sim, "GET", "/nodes", { auth: { ticket } });
    expect(r.status).toBe(401);
    expect(r.reason).toBe("Authentication failed!");
  });

  it("a valid ticket can be renewed by passing it as the password", async () => {
    sim = await startTestSim();
    const { ticket } = await login(sim);
    const r = await api(sim, "POST", "/access/ticket", { form: { username: "root@pam", password: ticket }, auth: false });
    expect(r.status).toBe(200);
  });
});
