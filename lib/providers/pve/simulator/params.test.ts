import { afterEach, describe, expect, it } from "vitest";
import type { PveSimulator } from "./server";
import { api, data, pollTask, rawHttp, sshPublicKey, startTestSim } from "./test-helpers";

let sim: PveSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const cfg = "/nodes/pve1/qemu/100/config";

describe("form decoding like pve-http-server", () => {
  it("rejects boolean 'true' in a form body; accepts 1 (and JSON true)", async () => {
    sim = await startTestSim();
    const bad = await api(sim, "PUT", cfg, { form: "onboot=true" });
    expect(bad.status).toBe(400);
    expect(bad.reason).toBe("Parameter verification failed.");
    expect(bad.body?.errors).toEqual({ onboot: "type check ('boolean') failed - got 'true'" });
    expect((await api(sim, "PUT", cfg, { form: "onboot=1" })).status).toBe(200);
    expect((await api(sim, "PUT", cfg, { json: { onboot: true } })).status).toBe(200);
    expect((await api(sim, "PUT", cfg, { json: { onboot: "true" } })).body?.errors).toEqual({ onboot: "type check ('boolean') failed - got 'true'" });
  });

  it("mis-parses an unencoded 'ip=dhcp' (split on every '='), accepts the percent-encoded form", async () => {
    sim = await startTestSim();
    const raw = await api(sim, "PUT", cfg, { form: "ipconfig0=ip=dhcp" });
    expect(raw.status).toBe(400);
    expect(raw.body?.errors).toEqual({ ipconfig0: "invalid format - value without key, but schema does not define a default key\n" });
    const encoded = await api(sim, "PUT", cfg, { form: { ipconfig0: "ip=10.1.2.3/24,gw=10.1.2.1" } });
    expect(encoded.status).toBe(200);
    const conf = data<Record<string, unknown>>(await api(sim, "GET", cfg));
    expect(conf.ipconfig0).toBe("ip=10.1.2.3/24,gw=10.1.2.1");
  });

  it("reads a raw '+' as a space: '+10G' must be encoded as %2B10G", async () => {
    sim = await startTestSim({ version: "7.4" });
    const raw = await api(sim, "PUT", "/nodes/pve1/qemu/100/resize", { form: "disk=scsi0&size=+10G" });
    expect(raw.status).toBe(400);
    expect(raw.body?.errors).toEqual({ size: "value does not match the regex pattern" });
    const ok = await api(sim, "PUT", "/nodes/pve1/qemu/100/resize", { form: { disk: "scsi0", size: "+10G" } });
    expect(ok.status).toBe(200);
  });

  it("sshkeys (format urlencoded): double-encoded in a form is accepted and decodes to the original key", async () => {
    sim = await startTestSim();
    const keys = `${sshPublicKey("ada@example.com")}\n${sshPublicKey("bob@example.com")}`;
    const r = await api(sim, "PUT", cfg, { form: { sshkeys: encodeURIComponent(keys) } });
    expect(r.status).toBe(200);
    const stored = data<Record<string, string>>(await api(sim, "GET", cfg)).sshkeys as string;
    expect(stored).toBe(encodeURIComponent(keys)); // PVE stores and returns the encoded form
    expect(decodeURIComponent(stored)).toBe(keys);
    expect(decodeURIComponent(sim.state.vms.get(100)?.config.sshkeys ?? "")).toBe(keys);
  });

  it("sshkeys encoded only once in a form arrive decoded and fail the urlencoded format", async () => {
    sim = await startTestSim();
    const key = sshPublicKey();
    const r = await api(sim, "PUT", cfg, { form: { sshkeys: key } });
    expect(r.status).toBe(400);
    expect(r.body?.errors?.sshkeys).toBe(`invalid format - invalid urlencoded string: ${key}\n`);
  });

  it("sshkeys in a JSON body need one encoding; a broken key is a 500 'SSH public key validation error'", async () => {
    sim = await startTestSim();
    const key = sshPublicKey();
    expect((await api(sim, "PUT", cfg, { json: { sshkeys: encodeURIComponent(key) } })).status).toBe(200);
    const bad = await api(sim, "PUT", cfg, { json: { sshkeys: encodeURIComponent("ssh-ed25519 AAAAnotakey user@host") } });
    expect(bad.status).toBe(500);
    expect(bad.reason).toBe("SSH public key validation error");
  });

  it("query parameters override body values", async () => {
    sim = await startTestSim();
    const r = await api(sim, "PUT", cfg, { form: { description: "from body" }, query: { description: "from query" } });
    expect(r.status).toBe(200);
    expect(data<Record<string, unknown>>(await api(sim, "GET", cfg)).description).toBe("from query");
    expect(sim.requests.at(-2)?.params).toEqual({ description: "from query" });
  });

  it("a JSON content type with an empty body fails (decode_json dies: 500 'malformed JSON string')", async () => {
    sim = await startTestSim();
    const r = await api(sim, "POST", "/nodes/pve1/qemu/100/status/stop", { raw: { body: "", contentType: "application/json" } });
    expect(r.status).toBe(500);
    expect(r.reason).toMatch(/^malformed JSON string, neither tag, array, object, number, string or atom, at character offset 0/);
    const arr = await api(sim, "POST", "/nodes/pve1/qemu/100/status/stop", { raw: { body: "[1]", contentType: "application/json" } });
    expect(arr.status).toBe(500);
    // without a content type, an empty body is fine
    expect((await api(sim, "POST", "/nodes/pve1/qemu/100/status/stop")).status).toBe(200);
  });

  it("repeated form keys become a list and fail the type check", async () => {
    sim = await startTestSim();
    const r = await api(sim, "PUT", cfg, { form: "name=a&name=b" });
    expect(r.body?.errors).toEqual({ name: "type check ('string') failed - got ARRAY" });
  });

  it("rejects content on GET and unsupported content types", async () => {
    sim = await startTestSim();
    const get = await rawHttp(sim, "GET", "/api2/json/nodes", { body: "a=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(get.status).toBe(501);
    expect(get.reason).toBe("Unexpected content for method 'GET'");
    const xml = await api(sim, "PUT", cfg, { raw: { body: "<a/>", contentType: "text/xml" } });
    expect(xml.status).toBe(506);
  });
});

describe("parameter verification (PVE::JSONSchema)", () => {
  it("400 shape: reason phrase 'Parameter verification failed.', body {data:null, errors, message}", async () => {
    sim = await startTestSim();
    const r = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "42", bogus: "1", name: "bad_name" } });
    expect(r.status).toBe(400);
    expect(r.reason).toBe("Parameter verification failed.");
    expect(r.body).toEqual({
      data: null,
      errors: {
        newid: "invalid format - value does not look like a valid VM ID\n",
        bogus: "property is not defined in schema and the schema does not allow additional properties",
        name: "invalid format - value does not look like a valid DNS name\n",
      },
      message: "Parameter verification failed.\n",
    });
  });

  it("a numeric range is checked after the format", async () => {
    sim = await startTestSim();
    const r = await api(sim, "GET", "/nodes/pve1/tasks/x/log", { query: { start: "-1" } });
    expect(r.body?.errors).toEqual({ start: "value must have a minimum value of 0" });
  });

  it("older servers (7.4) send no message in the body", async () => {
    sim = await startTestSim({ version: "7.4" });
    const r = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: {} });
    expect(r.body).toEqual({ data: null, errors: { newid: "property is missing and it is not optional" } });
    const locked = await api(sim, "GET", "/nodes/pve1/qemu/999/config");
    expect(locked.status).toBe(500);
    expect(locked.body).toEqual({ data: null });
  });

  it("checks property strings key by key (memory current=, net model enum)", async () => {
    sim = await startTestSim();
    const mem = await api(sim, "PUT", cfg, { form: { memory: "current=abc" } });
    expect(mem.body?.errors?.memory).toBe("invalid format - format error\nmemory.current: type check ('integer') failed - got 'abc'\n");
    const small = await api(sim, "PUT", cfg, { form: { memory: "8" } });
    expect(small.body?.errors?.memory).toContain("value must have a minimum value of 16");
    const net = await api(sim, "PUT", cfg, { form: { net1: "bogus,bridge=vmbr0" } });
    expect(net.body?.errors?.net1).toMatch(/^invalid format - format error\nnet1.model: value 'bogus' does not have a value in the enumeration/);
    expect((await api(sim, "PUT", cfg, { form: { memory: "current=4096" } })).status).toBe(200);
    expect((await api(sim, "PUT", cfg, { form: { net9: "virtio,bridge=vmbr1" } })).status).toBe(200);
    expect((await api(sim, "PUT", cfg, { form: { net40: "virtio,bridge=vmbr1" } })).body?.errors?.net40).toMatch(/^property is not defined/);
  });

  it("a URI parameter repeated with another value is a conflict", async () => {
    sim = await startTestSim();
    const r = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "120", node: "pve2" } });
    expect(r.body?.errors).toEqual({ node: "duplicate parameter (already defined in URI) with conflicting values!" });
  });

  it("unknown paths are 501, unknown nodes fail the proxy lookup", async () => {
    sim = await startTestSim();
    const r = await api(sim, "GET", "/nodes/pve1/bogus");
    expect(r.status).toBe(501);
    expect(r.reason).toBe("Method 'GET /nodes/pve1/bogus' not implemented");
    const n = await api(sim, "GET", "/nodes/pve9/qemu/100/config");
    expect(n.status).toBe(500);
    expect(n.reason).toBe("hostname lookup 'pve9' failed - failed to get address info for: pve9: Name or service not known");
  });

  it("config changes without options are refused", async () => {
    sim = await startTestSim();
    const r = await api(sim, "PUT", cfg, { form: {} });
    expect(r.status).toBe(500);
    expect(r.reason).toBe("no options specified");
    expect(r.body).toEqual({ data: null, message: "no options specified\n" });
  });

  it("the async config POST logs the update and hides the password", async () => {
    sim = await startTestSim();
    const r = await api(sim, "POST", cfg, { form: { cores: "2", cipassword: "hunter2", ciuser: "ada" } });
    const upid = data<string>(r);
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmconfig:100:root@pam!hangar:$/);
    const st = await pollTask(sim, upid);
    expect(st.exitstatus).toBe("OK");
    const log = data<{ t: string }[]>(await api(sim, "GET", `/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`)).map((l) => l.t);
    expect(log).toEqual(["update VM 100: -cipassword <hidden> -ciuser ada -cores 2", "TASK OK"]);
  });
});
