import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPveSchema, validateRequest, validateResponse, type PveApiSchema, type PveHttpMethod } from "./api-schema";
import { PveClient, type PveRequestInfo } from "./client";
import { decodePveForm } from "./form";
import { ok, startStub, type Stub, type StubReply } from "./test-stub-server";

/**
 * Drives every PveClient method against a permissive stub, captures what the client sends
 * (as PVE's decoder reads it) and checks it against the official API schemas of PVE 8.4
 * and 9.1. The stub's answers are checked against the schemas' `returns` too, so the
 * client is exercised with realistic data.
 */
const VERSIONS = ["8.4", "9.1"] as const;
const schemas = Object.fromEntries(VERSIONS.map((v) => [v, loadPveSchema(v)])) as Record<(typeof VERSIONS)[number], PveApiSchema>;

const UPID = (node: string, type: string, id: string) => `UPID:${node}:000934AF:0D015579:68BF3A41:${type}:${id}:root@pam!hangar:`;

function answer(method: string, path: string): unknown {
  const routes: [RegExp, unknown][] = [
    [/^POST \/access\/ticket$/, { username: "hangar@pve", ticket: "PVE:hangar@pve:68BF3A41::c2ln", CSRFPreventionToken: "68BF3A41:Y3Ny" }],
    [/^GET \/version$/, { version: "9.1.2", release: "9.1", repoid: "0123abcd" }],
    [/^GET \/nodes$/, [{ node: "pve1", status: "online", maxcpu: 16, maxmem: 68719476736, cpu: 0.05, mem: 1, uptime: 9 }]],
    [/^GET \/nodes\/[^/]+\/storage$/, [{ storage: "local-lvm", type: "lvmthin", content: "images,rootdir", shared: 0, enabled: 1, active: 1, avail: 1, total: 2, used: 1 }]],
    [/^GET \/cluster\/resources$/, [{ id: "qemu/9000", type: "qemu", node: "pve1", vmid: 9000, name: "ubuntu-24", template: 1, maxcpu: 2, maxmem: 2147483648, maxdisk: 10737418240, status: "stopped" }]],
    [/^GET \/cluster\/nextid$/, "123"],
    [/^GET \/cluster\/mapping\/pci$/, [{ id: "rtx4090", description: "RTX 4090", map: ["node=pve1,path=0000:01:00,id=10de:2684,iommugroup=12,subsystem-id=1043:889d", "node=pve2,path=0000:41:00,id=10de:2684"] }, { id: "empty", description: "", map: [] }]],
    [/^GET \/nodes\/[^/]+\/tasks\/[^/]+\/status$/, { status: "stopped", exitstatus: "OK", upid: UPID("pve1", "qmclone", "9000"), node: "pve1", pid: 1, pstart: 2, starttime: 3, type: "qmclone", id: "9000", user: "root@pam!hangar" }],
    [/^GET \/nodes\/[^/]+\/tasks\/[^/]+\/log$/, [{ n: 1, t: "TASK OK" }]],
    [/^GET \/nodes\/[^/]+\/qemu\/\d+\/status\/current$/, { status: "running", qmpstatus: "running", vmid: 123, cpus: 2, maxmem: 4294967296, maxdisk: 34359738368, uptime: 5, ha: { managed: 0 } }],
    [/^GET \/nodes\/[^/]+\/qemu\/\d+\/config$/, { name: "web-1", cores: 2, memory: "2048", scsi0: "local-lvm:vm-123-disk-0,size=32G", digest: "0123456789abcdef0123456789abcdef01234567" }],
    [/^GET \/nodes\/[^/]+\/qemu\/\d+\/agent\/network-get-interfaces$/, { result: [{ name: "eth0", "ip-addresses": [{ "ip-address": "10.0.0.5", "ip-address-type": "ipv4", prefix: 24 }] }] }],
    [/^PUT \/nodes\/[^/]+\/qemu\/\d+\/config$/, null],
    [/^DELETE \/nodes\/[^/]+\/tasks\//, null],
    [/^PUT \/nodes\/[^/]+\/qemu\/\d+\/resize$/, UPID("pve1", "resize", "123")],
    [/^(POST|DELETE) /, UPID("pve1", "qmclone", "9000")],
  ];
  const key = `${method} ${path}`;
  const route = routes.find(([re]) => re.test(key));
  if (!route) throw new Error(`stub has no answer for ${key}`);
  return route[1];
}

let stub: Stub;
const sent: PveRequestInfo[] = [];
const answered: { method: PveHttpMethod; path: string; data: unknown }[] = [];
const called = new Set<string>();

function instrumented(client: PveClient): PveClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop === "string" && typeof value === "function") called.add(prop);
      return value;
    },
  });
}

beforeAll(async () => {
  stub = await startStub((req): StubReply => {
    const data = answer(req.method, req.path);
    answered.push({ method: req.method as PveHttpMethod, path: req.path, data });
    return ok(data);
  });
  const onRequest = (info: PveRequestInfo) => sent.push(info);
  const token = instrumented(new PveClient({ baseUrl: stub.url, auth: { type: "token", tokenId: "root@pam!hangar", secret: "s" }, onRequest }));
  const ticket = new PveClient({ baseUrl: `${stub.url}/api2/json/`, auth: { type: "ticket", username: "hangar", password: "pa ss+w=rd", realm: "pve" }, onRequest });

  await ticket.version();
  await token.version();
  await token.nodes();
  await token.storages("pve1");
  await token.clusterResources();
  await token.clusterResources("vm");
  await token.templates();
  await token.nextId();
  expect(await token.pciMappings()).toEqual([
    {
      id: "rtx4090",
      description: "RTX 4090",
      devices: [
        { node: "pve1", path: "0000:01:00", id: "10de:2684", iommugroup: 12, subsystemId: "1043:889d" },
        { node: "pve2", path: "0000:41:00", id: "10de:2684" },
      ],
    },
    { id: "empty", devices: [] },
  ]);
  await token.clone("pve1", 9000, { newid: 123, name: "web-1.example.com", full: true, storage: "local-lvm", format: "qcow2", target: "pve2", pool: "students", description: "Created by Hangar\nfor alice" });
  await token.clone("pve1", 9000, { newid: 124, name: "web-2", full: false, storage: "local-lvm" });
  const upid = UPID("pve2", "qmclone", "9000");
  await token.taskStatus(upid);
  await token.taskLog(upid, 0, 50);
  await token.waitForTask(upid, { pollMs: 1, onLog: () => undefined });
  await token.stopTask(upid);
  const config = {
    cores: 4,
    sockets: 1,
    memory: 4096,
    name: "web-1",
    ciuser: "ubuntu",
    cipassword: "Sup3r secret+pw=",
    sshkeys: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG+x/y= alice@laptop\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC+/== bob@host",
    ipconfig0: "ip=dhcp",
    ipconfig1: "ip=10.0.0.5/24,gw=10.0.0.1,ip6=auto",
    net0: "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1",
    tags: ["hangar", "student-1"],
    description: "Owner: alice@example.com; plan=basic & more",
    delete: ["ide2", "net1"],
  };
  await token.updateConfig("pve1", 123, config);
  await token.updateConfigAsync("pve1", 123, { cores: 2, memory: 2048, ipconfig0: "ip=dhcp" });
  await token.updateConfig("pve1", 123, { machine: "q35", hostpci0: "mapping=rtx4090,pcie=1", hostpci1: "mapping=rtx4090,pcie=1" });
  await token.resize("pve1", 123, "scsi0", "+10G");
  await token.resize("pve1", 123, "scsi0", "32G");
  await token.resize("pve1", 123, "virtio1", "1.5T");
  await token.start("pve1", 123);
  await token.stop("pve1", 123, { timeout: 30 });
  await token.shutdown("pve1", 123, { timeout: 120, forceStop: true });
  await token.reboot("pve1", 123, { timeout: 60 });
  await token.currentStatus("pve1", 123);
  await token.vmConfig("pve1", 123);
  await token.vmConfig("pve1", 123, { current: true });
  await token.agentNetworkInterfaces("pve1", 123);
  await token.destroy("pve1", 123);
  await token.vmExists("pve1", 123);
  await token.createVm("pve1", {
    vmid: 200,
    name: "scratch-vm",
    cores: 2,
    sockets: 1,
    memory: 2048,
    scsi0: "local-lvm:32",
    ide2: "local:iso/ubuntu-24.04-live-server-amd64.iso,media=cdrom",
    net0: "virtio,bridge=vmbr0",
    ostype: "l26",
    scsihw: "virtio-scsi-single",
    agent: "enabled=1",
    serial0: "socket",
    ipconfig0: "ip=dhcp",
    sshkeys: "ssh-ed25519 AAAA+x a@b",
    tags: "hangar",
    start: true,
  });
  token.close();
  ticket.close();
});

afterAll(async () => {
  await stub.close();
});

describe.each(VERSIONS)("every request the client sends conforms to PVE %s", (version) => {
  it("was captured for every public method", () => {
    const methods = Object.getOwnPropertyNames(PveClient.prototype).filter((m) => !["constructor", "close", "request", "vmPath", "power"].includes(m));
    expect(methods.filter((m) => !called.has(m))).toEqual([]);
    expect(sent.length).toBeGreaterThanOrEqual(30);
    expect(sent.map((s) => s.path)).toContain("/access/ticket");
  });

  it("declares and accepts every parameter sent", () => {
    const violations = sent.flatMap((s) => validateRequest(schemas[version], s.method, s.path, s.params).map((v) => `${s.method} ${s.path}: ${v}`));
    expect(violations).toEqual([]);
  });

  it("the stub's answers match the documented return types", () => {
    const violations = answered.flatMap((a) => validateResponse(schemas[version], a.method, a.path, a.data).map((v) => `${a.method} ${a.path}: ${v}`));
    expect(violations).toEqual([]);
  });
});

describe.each(VERSIONS)("validateRequest catches what PVE %s would reject", (version) => {
  const schema = () => schemas[version];
  const config = (params: Record<string, string>) => validateRequest(schema(), "PUT", "/nodes/pve1/qemu/123/config", params);

  it("an undeclared parameter", () => {
    expect(config({ cores: "2", colour: "blue" })).toEqual(["colour: property is not defined in schema and the schema does not allow additional properties"]);
  });

  it("`true` as a boolean (a form body needs 1 or 0)", () => {
    expect(validateRequest(schema(), "POST", "/nodes/pve1/qemu/9000/clone", { newid: "123", full: "true" })).toEqual(["full: type check ('boolean') failed - got 'true'"]);
  });

  it("a value outside the enumeration", () => {
    expect(validateRequest(schema(), "GET", "/cluster/resources", { type: "vms" })).toEqual([expect.stringMatching(/^type: value 'vms' does not have a value in the enumeration 'vm, storage, node, sdn/)]);
    expect(validateRequest(schema(), "PUT", "/nodes/pve1/qemu/123/resize", { disk: "scsi31", size: "1G" })).toEqual([expect.stringContaining("does not have a value in the enumeration")]);
  });

  it("a bad key inside a property string, and a missing required key", () => {
    expect(config({ net0: "virtio,bridgee=vmbr0" })).toEqual(["net0: invalid format - invalid key in comma-separated list property: bridgee"]);
    expect(config({ net0: "bridge=vmbr0" })).toEqual(["net0.model: property is missing and it is not optional"]);
    expect(config({ ipconfig0: "ip=dhcp,gateway=10.0.0.1" })).toEqual(["ipconfig0: invalid format - invalid key in comma-separated list property: gateway"]);
    expect(config({ ipconfig0: "gw=10.0.0.1" })).toEqual(["ipconfig0.ip: missing property required by 'ipconfig0.gw'"]);
    expect(config({ memory: "current=lots" })).toEqual(["memory.current: type check ('integer') failed - got 'lots'"]);
  });

  it("sshkeys that were not percent-encoded first", () => {
    expect(config({ sshkeys: "ssh-ed25519 AAAA+x" })).toEqual(["sshkeys: invalid format - invalid urlencoded string: ssh-ed25519 AAAA+x"]);
    expect(config({ sshkeys: encodeURIComponent("ssh-ed25519 AAAA+x") })).toEqual([]);
  });

  it("a missing required parameter", () => {
    expect(validateRequest(schema(), "POST", "/nodes/pve1/qemu/9000/clone", { name: "web-1" })).toEqual(["newid: property is missing and it is not optional"]);
    expect(validateRequest(schema(), "PUT", "/nodes/pve1/qemu/123/resize", { disk: "scsi0" })).toEqual(["size: property is missing and it is not optional"]);
  });

  it("hand-built bodies that PVE's decoder splits on `=` or reads `+` as a space", () => {
    expect(config(decodePveForm("ipconfig0=ip=dhcp"))).toEqual(["ipconfig0: invalid format - value without key, but schema does not define a default key"]);
    expect(validateRequest(schema(), "PUT", "/nodes/pve1/qemu/123/resize", decodePveForm("disk=scsi0&size=+10G"))).toEqual(["size: value does not match the regex pattern"]);
  });

  it("path parameters, ranges, lengths, named formats and unknown paths", () => {
    expect(validateRequest(schema(), "GET", "/nodes/pve_1/qemu/99/config", {})).toEqual([
      "node: invalid format - value does not look like a valid node name",
      "vmid: invalid format - value does not look like a valid VM ID",
    ]);
    expect(config({ cores: "0" })).toEqual(["cores: value must have a minimum value of 1"]);
    expect(config({ cores: "two" })).toEqual(["cores: type check ('integer') failed - got 'two'"]);
    expect(config({ name: "web_1" })).toEqual(["name: invalid format - value does not look like a valid DNS name"]);
    expect(config({ tags: "ok;not ok!" })).toEqual(["tags: invalid format - invalid characters in tag"]);
    expect(config({ description: "x".repeat(8193) })).toEqual(["description: value may only be 8192 characters long"]);
    expect(config({ net0: "virtio,bridge=vmbr0,trunks=10;20-30" })).toEqual([]);
    expect(config({ net0: "virtio,bridge=vmbr0,trunks=10;x" })).toEqual(["net0.trunks: value does not match the regex pattern"]);
    expect(validateRequest(schema(), "POST", "/nodes/pve1/qemu/9000/clone", { newid: "123", full: "1", storage: "1local" })).toEqual([
      "storage: invalid format - storage ID '1local' contains illegal characters",
    ]);
    expect(validateRequest(schema(), "GET", "/nodes/pve1/nothing-here", {})).toEqual(["no such API path: /nodes/pve1/nothing-here"]);
    expect(validateRequest(schema(), "PATCH" as PveHttpMethod, "/version", {})).toEqual(["method PATCH not allowed on /version"]);
  });

  it("validateResponse reports wrong types and missing properties", () => {
    expect(validateResponse(schema(), "GET", "/cluster/nextid", "123")).toEqual([]);
    expect(validateResponse(schema(), "GET", "/cluster/nextid", "12x")).toEqual(["data: type check ('integer') failed - got '12x'"]);
    expect(validateResponse(schema(), "GET", "/nodes/pve1/tasks/UPID:x/status", { status: "done", upid: "u", node: "pve1", pid: 1, pstart: 1, starttime: 1, type: "t", id: "", user: "u" })).toEqual([
      "data.status: value 'done' does not have a value in the enumeration 'running, stopped'",
    ]);
    expect(validateResponse(schema(), "GET", "/nodes", [{ status: "online" }])).toEqual(["data[0].node: property is missing and it is not optional"]);
    expect(validateResponse(schema(), "GET", "/version", [])).toEqual(["data: type check ('object') failed"]);
    expect(validateResponse(schema(), "PUT", "/api2/json/nodes/pve1/qemu/123/config?x=1", null)).toEqual([]);
    expect(validateResponse(schema(), "PUT", "/nodes/pve1/qemu/123/config", "UPID:x")).toEqual(["data: type check ('null') failed - value is not null"]);
  });
});
