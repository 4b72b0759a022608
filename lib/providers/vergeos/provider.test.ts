import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CreateRequest, ProviderRef, ProviderStep, StepContext } from "../types";
import { cloudInitFiles } from "./flow";
import { vergeosConnectionSettings, vergeosRefSchema, vergeosTemplateFields, vergeTemplateRef, vergeVmRef } from "./module-schemas";
import { VergeProvider } from "./provider";
import { sha512Crypt } from "./sha512-crypt";
import { DEMO_GPU_GROUPS, demoSeed } from "./simulator";
import { TEST_API_KEY, startTestVerge } from "./simulator/test-helpers";

const GiB = 1024 ** 3;
const RTX = DEMO_GPU_GROUPS["RTX 4090"];
const A100 = DEMO_GPU_GROUPS.A100;

describe("VergeOS module schemas", () => {
  it("reads a template's `vergeos` block as in the issue (keys as strings or numbers) into a reference and settings", () => {
    const fields = { vergeos: { mediaSource: "7", cluster: "1", vnet: "3", preferredTier: "1" } };
    expect(vergeosTemplateFields.parse(fields)).toEqual({ ref: { id: "7", data: { mediaSource: "7", cluster: "1" } }, settings: { vnet: "3", preferredTier: "1" } });
    expect(vergeosTemplateFields.parse({ vergeos: { mediaSource: 8, cluster: 1, vnet: 3, preferredTier: 3, driveMedia: "clone" } })).toEqual({
      ref: { id: "8", data: { mediaSource: "8", cluster: "1" } },
      settings: { vnet: "3", preferredTier: "3", driveMedia: "clone" },
    });
    const bad = vergeosTemplateFields.safeParse({ vergeos: { mediaSource: "7", preferredTier: "9", disk: 1 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual(
      expect.arrayContaining([
        ["vergeos.preferredTier", "must be a storage tier, 1 to 5"],
        ["vergeos", 'Unrecognized key: "disk"'],
      ]),
    );
    // A PVE template's fields are not a VergeOS template.
    expect(vergeosTemplateFields.safeParse({ node: "pve1", vmid: 9000 }).success).toBe(false);
  });

  it("takes gpuGroups as a mapping (configuration file) or as text (admin form), and refuses what is not a UUID", () => {
    const mapping = { "4090": [RTX, A100] };
    expect(vergeosConnectionSettings.parse({ gpuGroups: mapping }).gpuGroups).toEqual(mapping);
    expect(vergeosConnectionSettings.parse({ gpuGroups: `4090=${RTX}, ${A100}` }).gpuGroups).toEqual(mapping);
    expect(vergeosConnectionSettings.parse({ gpuGroups: JSON.stringify(mapping) }).gpuGroups).toEqual(mapping);
    expect(vergeosConnectionSettings.safeParse({ gpuGroups: { "4090": ["3"] } }).error?.issues[0]).toMatchObject({ path: ["gpuGroups", "4090", 0], message: "must be a resource group UUID" });
    expect(vergeosConnectionSettings.safeParse({ passwordAuth: "kerberos" }).success).toBe(false);
    expect(vergeosConnectionSettings.safeParse({ storage: "x" }).success).toBe(false);
  });

  it("references: a VM carries its VM key (the id) and its machine key; a reference whose id does not match is refused", () => {
    expect(vergeosRefSchema.parse({ id: "42", data: { vm: "42", machine: "54" } })).toEqual(vergeVmRef("42", "54"));
    expect(vergeosRefSchema.parse({ id: "7", data: { mediaSource: "7", cluster: "1" } })).toEqual(vergeTemplateRef("7", "1"));
    expect(vergeosRefSchema.safeParse({ id: "54", data: { vm: "42", machine: "54" } }).success).toBe(false);
    expect(vergeosRefSchema.safeParse({ id: "9000", data: { node: "pve1", vmid: 9000 } }).success).toBe(false);
  });

  it("cloud-init carries a SHA-512 crypt hash of the password, never the password", () => {
    const [userData] = cloudInitFiles({ name: "web", cloudInit: { user: "ubuntu", password: "correct horse", sshKeys: ["ssh-ed25519 AAAA x@y"] } });
    expect(userData!.contents).not.toContain("correct horse");
    const hash = /hashed_passwd: "(\$6\$[^"]+)"/.exec(userData!.contents)?.[1];
    expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(sha512Crypt("correct horse", hash!.split("$")[2])).toBe(hash);
    expect(userData!.contents).toContain(`passwd: "${hash}"`);
    // The reference vectors of the SHA-crypt specification.
    expect(sha512Crypt("Hello world!", "saltstring")).toBe("$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1");
    expect(sha512Crypt("Hello world!", "saltstringsaltstring", 10000)).toBe(
      "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
    );
  });
});

describe("cloud-init with the user's own cloud-config", () => {
  it("sends several keys, then the user's part after the login part, merged with lists appended", () => {
    const own = "#cloud-config\npackages: [htop]\n";
    const [userData] = cloudInitFiles({ name: "web", cloudInit: { user: "ubuntu", sshKeys: ["ssh-ed25519 AAAA a@b", "ssh-ed25519 BBBB c@d"], userData: own } });
    const text = userData!.contents;
    expect(text).toMatch(/^Content-Type: multipart\/mixed; boundary="==HANGAR-CLOUD-INIT=="\nMIME-Version: 1.0\n\n--==HANGAR-CLOUD-INIT==\n/);
    const login = text.indexOf('filename="hangar-login.cfg"');
    const theirs = text.indexOf('filename="user-data.cfg"');
    expect(login).toBeGreaterThan(0);
    expect(theirs).toBeGreaterThan(login);
    expect(text.slice(login, theirs)).toContain('      - "ssh-ed25519 AAAA a@b"\n      - "ssh-ed25519 BBBB c@d"');
    expect(text.slice(theirs)).toContain("Merge-Type: list(append)+dict(recurse_array)+str()\n\n#cloud-config\npackages: [htop]\n--==HANGAR-CLOUD-INIT==--\n");
  });

  it("sends the user's cloud-config as it is when Hangar has no login to add, and a boundary that is not in it", () => {
    const own = "#cloud-config\nwrite_files:\n  - content: '==HANGAR-CLOUD-INIT=='\n    path: /x\n";
    expect(cloudInitFiles({ name: "web", cloudInit: { userData: own } })[0]!.contents).toBe(own);
    const [userData] = cloudInitFiles({ name: "web", cloudInit: { user: "u", userData: own } });
    expect(userData!.contents).toContain('boundary="===HANGAR-CLOUD-INIT==="');
  });
});

describe("VergeProvider against the simulator", () => {
  let sim: Awaited<ReturnType<typeof startTestVerge>>;
  let provider: VergeProvider;
  beforeAll(async () => {
    const seed = demoSeed();
    seed.resourceGroups = seed.resourceGroups!.map((g) => (g.uuid === RTX ? { ...g, devices: 4 } : g));
    sim = await startTestVerge({ seed });
    provider = new VergeProvider(
      { name: "verge", kind: "vergeos", baseUrl: sim.url, credentials: { apiKey: TEST_API_KEY }, tls: { verify: true, fingerprint: sim.fingerprint256 }, settings: { gpuGroups: { "4090": [RTX] } } },
      { pollMs: 20, powerTimeoutMs: 5_000, addressTimeoutMs: 2_000 },
    );
  });
  afterAll(async () => {
    provider?.close();
    await sim?.stop();
  });
  beforeEach(() => {
    sim.faults.reset();
    sim.requests.length = 0;
  });

  const request = (name: string, gpus = 0): CreateRequest => ({
    name,
    template: { ref: vergeTemplateRef("7", "1"), settings: { vnet: "3", preferredTier: "1" }, name: "ubuntu-verge" },
    size: { cpuCores: 2, memoryMb: 2048, diskGb: 20, gpus: gpus ? { "4090": gpus } : {} },
    options: { target: "hangar-verge" },
    cloudInit: { user: "ubuntu", password: "pw-pw-pw-pw" },
  });

  async function run(steps: ProviderStep[], facts: Record<string, unknown> = {}) {
    const ctx: StepContext = { get facts() { return facts; }, remember: async (more) => void Object.assign(facts, more), recordProviderTask: async () => {}, log: async () => {} };
    for (const step of steps) await step.run(ctx);
    return facts;
  }

  async function create(name: string, gpus = 0) {
    const req = request(name, gpus);
    const checked = await provider.precheck(req);
    expect(checked.problems).toEqual([]);
    req.options = checked.options;
    const facts = await run(provider.createSteps(req, null));
    return { req, facts, result: provider.createResult(req, null, facts) };
  }

  it("sends each request with VergeOS's units and each key where it belongs", async () => {
    const { facts, result } = await create("shapes", 1);
    const vm = String(facts.vm);
    const machine = String(facts.machine);
    expect(vm).not.toBe(machine);
    const posts = Object.fromEntries(sim.requests.filter((r) => r.method === "POST").map((r) => [r.path, r.body]));
    expect(posts["/vms"]).toMatchObject({ name: "shapes", cluster: "1", cpu_cores: 2, ram: 2048, guest_agent: true, cloudinit_datasource: "nocloud" });
    expect(posts["/machine_drives"]).toEqual({ machine, name: "boot", media: "import", interface: "virtio-scsi", disksize: 20 * GiB, preferred_tier: "1", show_pt: true, media_source: "7" });
    expect(posts["/machine_nics"]).toEqual({ machine, vnet: "3", interface: "virtio" });
    expect(posts["/machine_devices"]).toEqual({ machine, resource_group: RTX, settings_args: {} });
    expect(posts["/vm_actions"]).toEqual({ vm, action: "poweron" });
    expect(sim.requests.filter((r) => r.path === "/machine_status").every((r) => r.query.filter === `machine eq ${machine}`)).toBe(true);
    expect(result).toMatchObject({ ref: { id: vm, data: { vm, machine } }, size: { cpuCores: 2, memoryMb: 2048, diskGb: 20, gpus: { "4090": 1 } }, notices: [] });
    expect(result.addresses[0]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await provider.status(result.ref)).toMatchObject({ state: "running", cpus: 2, memoryMb: 2048 });
  });

  it("a reference with the VM key and machine key swapped fails against VergeOS instead of acting on another VM", async () => {
    const { result } = await create("swapped");
    const { vm, machine } = result.ref.data as { vm: string; machine: string };
    const swapped: ProviderRef = vergeVmRef(machine, vm);
    await expect(run(provider.actionSteps("stop", swapped))).rejects.toMatchObject({ kind: "not_found" });
    await expect(provider.status(swapped)).rejects.toMatchObject({ kind: "not_found" });
    expect(await provider.status(result.ref)).toMatchObject({ state: "running" });
  });

  it("offers GPUs from the mapped resource groups with how many are free, and refuses more than are free at precheck", async () => {
    const before = await provider.gpuOffers();
    expect(before).toEqual([expect.objectContaining({ gpuType: "4090", label: "RTX 4090", total: 4, rentalTypes: ["on_demand"] })]);
    await create("gpu-user", 1);
    const after = await provider.gpuOffers();
    expect(after[0]!.available).toBe(before[0]!.available - 1);
    const tooMany = await provider.precheck(request("gpu-3", 3));
    expect(tooMany.problems).toEqual([`Only ${after[0]!.available} GPU${after[0]!.available === 1 ? " of type 4090 is" : "s of type 4090 are"} free on verge now (3 requested)`]);
    const unmapped = await provider.precheck({ ...request("gpu-x"), size: { cpuCores: 1, memoryMb: 1024, diskGb: 20, gpus: { a100: 1 } } });
    expect(unmapped.problems).toEqual(["GPU type a100 is not offered by verge: choose one of 4090"]);
  });

  it("every create step runs again safely: the same VM, drive, NIC and device, not a second of each", async () => {
    const { req, facts } = await create("twice", 1);
    const count = () => ({ vms: [...sim.state.vms.values()].filter((v) => v.name === "twice").length, drives: sim.state.drives.size, nics: sim.state.nics.size, devices: sim.state.devices.size });
    const first = count();
    await run(provider.createSteps(req, null), { ...facts });
    await run(provider.createSteps(req, null), { vmRequested: true });
    expect(count()).toEqual(first);
    expect(first.vms).toBe(1);
  });

  it("discovery lists clusters, vnets, tiers with free space, media sources, GPU groups with free devices, and templates from disk images", async () => {
    const found = await provider.discover();
    expect(found.inventory.map((t) => t.title)).toEqual(["Clusters", "Networks (vnets)", "Storage tiers", "Media sources", "GPU resource groups", "vGPU devices"]);
    const groups = found.inventory.find((t) => t.title === "GPU resource groups")!;
    expect(groups.rows.find((r) => r[1] === RTX)?.[5]).toBe("4090");
    expect(groups.rows.find((r) => r[1] === A100)?.[5]).toBe("(not mapped)");
    expect(found.templates.map((t) => [t.ref, t.where])).toEqual([
      [vergeTemplateRef("7", "1"), "media source 7 (qcow2) on cluster hangar-verge"],
      [vergeTemplateRef("8", "1"), "media source 8 (qcow2) on cluster hangar-verge"],
    ]);
    expect(await provider.placements(vergeTemplateRef("7", "1"))).toEqual([{ name: "hangar-verge", online: true }]);
    expect(provider.homeOf(vergeTemplateRef("7", "1"))).toBe("hangar-verge");
  });
});
