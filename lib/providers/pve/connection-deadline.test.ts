import { afterEach, describe, expect, it } from "vitest";
import { PveClient } from "./client";
import { ok, startStub, type Stub } from "./test-stub-server";

/** Issue 7, finding 10: a call with retries ends by its deadline, however slow the provider. */
let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const auth = { type: "token" as const, tokenId: "root@pam!t", secret: "s" };

describe("PVE call deadline", () => {
  it("a provider answering after 35 s: the call gives up at its deadline, attempts included", async () => {
    stub = await startStub(() => ({ ...ok([]), delayMs: 35_000 }));
    const client = new PveClient({ baseUrl: stub.url, auth, timeoutMs: 300, callTimeoutMs: 800, retry: { attempts: 10, baseDelayMs: 50, maxDelayMs: 100 } });
    const started = Date.now();
    const error = await client.nodes().catch((e: unknown) => e);
    const took = Date.now() - started;
    client.close();
    expect(error).toMatchObject({ kind: "network" });
    expect((error as Error).message).toMatch(/deadline of 800 ms/);
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(1_500);
    expect(stub.requests.length).toBeGreaterThanOrEqual(2);
    expect(stub.requests.length).toBeLessThan(10);
  });

  it("the last attempt is cut short by the deadline", async () => {
    stub = await startStub(() => ({ ...ok([]), delayMs: 35_000 }));
    const client = new PveClient({ baseUrl: stub.url, auth, timeoutMs: 30_000, callTimeoutMs: 400, retry: { attempts: 4 } });
    const started = Date.now();
    await expect(client.nodes()).rejects.toMatchObject({ kind: "network" });
    client.close();
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("without a deadline a slow answer within the attempt's timeout still arrives", async () => {
    stub = await startStub(() => ({ ...ok([{ node: "pve1", status: "online" }]), delayMs: 100 }));
    const client = new PveClient({ baseUrl: stub.url, auth, timeoutMs: 2_000, callTimeoutMs: 2_000 });
    await expect(client.nodes()).resolves.toEqual([expect.objectContaining({ name: "pve1" })]);
    client.close();
  });
});
