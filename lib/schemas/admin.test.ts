import { describe, expect, it } from "vitest";
import {
  gibTextToMb,
  importTemplatesGibSchema,
  mbToGibText,
  planFormGibSchema,
  quotaOverridesFormGibSchema,
  templateFormGibSchema,
  auditFilterSchema,
  importTemplatesSchema,
  planAssignSchema,
  planFormSchema,
  pricesFormSchema,
  providerFormSchema,
  quotaOverridesFormSchema,
  teamFormSchema,
  teamMembersSchema,
  templateFormSchema,
  userCreateSchema,
  userUpdateSchema,
} from "./admin";

/** The issues of a failed parse as {path: message}, as the forms show them. */
function problems(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }): Record<string, string> {
  if (result.success) return {};
  return Object.fromEntries(result.error!.issues.map((i) => [i.path.join("."), i.message]));
}

describe("provider form", () => {
  const base = {
    name: "lab",
    kind: "pve",
    url: "https://pve.example:8006",
    pveAuth: "token",
    tokenId: "root@pam!hangar",
    secret: "s3cret",
    username: "",
    password: "",
    realm: "",
    apiKey: "",
    tlsVerify: true,
    tlsCa: "",
    tlsFingerprint: "",
    settings: { defaultStorage: "" },
    enabled: true,
  } as const;

  it("accepts a PVE token connection and turns empty optionals into null", () => {
    const r = providerFormSchema.safeParse(base);
    expect(r.success).toBe(true);
    expect(r.data!.settings).toEqual({ defaultStorage: "" }); // the kind's module checks settings on the server
  });

  it("needs the secrets when creating, not when editing (empty keeps the stored ones)", () => {
    expect(problems(providerFormSchema.safeParse({ ...base, secret: "" }))).toEqual({ secret: "Required" });
    expect(providerFormSchema.safeParse({ ...base, id: "p1", secret: "" }).success).toBe(true);
    const ticket = { ...base, pveAuth: "password", tokenId: "", secret: "", username: "root", password: "" };
    expect(problems(providerFormSchema.safeParse(ticket))).toEqual({ password: "Required" });
    expect(providerFormSchema.safeParse({ ...ticket, id: "p1" }).success).toBe(true);
    expect(problems(providerFormSchema.safeParse({ ...base, kind: "nova", apiKey: "" }))).toEqual({ apiKey: "Required" });
    expect(providerFormSchema.safeParse({ ...base, kind: "vergeos", apiKey: "k" }).success).toBe(true);
  });

  it("VergeOS: an API key, a user and password (Basic) or a session token; Nova: an API key or an email and password", () => {
    const verge = { ...base, kind: "vergeos", tokenId: "", secret: "" };
    expect(problems(providerFormSchema.safeParse({ ...verge, authMode: "apiKey" }))).toEqual({ apiKey: "Required" });
    expect(problems(providerFormSchema.safeParse({ ...verge, authMode: "password" }))).toEqual({ username: "Required", password: "Required" });
    expect(providerFormSchema.safeParse({ ...verge, authMode: "session", username: "hangar", password: "pw" }).success).toBe(true);
    expect(providerFormSchema.safeParse({ ...verge, id: "p1", authMode: "session", username: "hangar", password: "" }).success).toBe(true); // editing: empty keeps the stored one
    const nova = { ...verge, kind: "nova" };
    expect(providerFormSchema.safeParse({ ...nova, authMode: "password", username: "ops@example.com", password: "pw" }).success).toBe(true);
    expect(problems(providerFormSchema.safeParse({ ...nova, authMode: "password", username: "ops", password: "pw" }))).toEqual({ username: "Must be the account's email address" });
    expect(problems(providerFormSchema.safeParse({ ...nova, authMode: "session", username: "ops@example.com", password: "pw" }))).toEqual({ authMode: "Nova Cloud signs in with an API key, or an email and password" });
  });

  it("checks the token id, URL, fingerprint and CA formats", () => {
    expect(
      problems(
        providerFormSchema.safeParse({ ...base, tokenId: "root", url: "pve:8006", tlsFingerprint: "AA:BB", tlsCa: "not a pem" }),
      ),
    ).toEqual({
      tokenId: "Must look like user@realm!tokenname",
      url: "Must be a URL like https://host:8006",
      tlsFingerprint: "Must be a SHA-256 fingerprint: 32 pairs like AB:CD:…",
      tlsCa: "Must be a PEM certificate (-----BEGIN CERTIFICATE-----)",
    });
    expect(providerFormSchema.safeParse({ ...base, kind: "xen" }).success).toBe(false);
  });
});

describe("plan form", () => {
  const plan = {
    name: "tiny",
    description: "",
    isDefault: false,
    maxCpuCoresPerVm: "1",
    maxMemoryMbPerVm: "1024",
    maxDiskGbPerVm: "20",
    maxGpusPerVm: "0",
    maxCpuCoresSum: "2",
    maxMemoryMbSum: "2048",
    maxDiskGbSum: "40",
    maxGpusSum: "0",
    maxVms: "2",
    maxMonthlySpend: "",
    allowedProviderIds: [],
    allowedRentalTypes: ["on_demand"],
    allowedGpuTypes: [],
  };

  it("turns the browser's strings into numbers, and an empty spend limit into no limit", () => {
    const r = planFormSchema.parse(plan);
    expect(r).toMatchObject({ maxCpuCoresPerVm: 1, maxVms: 2, maxMonthlySpend: null, allowedRentalTypes: ["on_demand"] });
    expect(planFormSchema.parse({ ...plan, maxMonthlySpend: "250.5" }).maxMonthlySpend).toBe("250.5");
  });

  it("says what is wrong with each field", () => {
    expect(
      problems(
        planFormSchema.safeParse({
          ...plan,
          name: " ",
          maxCpuCoresPerVm: "0",
          maxMemoryMbPerVm: "1.5",
          maxDiskGbPerVm: "",
          maxGpusPerVm: "-1",
          maxVms: "many",
          maxMonthlySpend: "-3",
          allowedRentalTypes: ["weekly"],
          allowedGpuTypes: ["rtx/3090"],
        }),
      ),
    ).toMatchObject({
      name: "Required",
      maxCpuCoresPerVm: "Must be at least 1",
      maxMemoryMbPerVm: "Enter a whole number",
      maxDiskGbPerVm: "Required",
      maxGpusPerVm: "Cannot be negative",
      maxVms: "Enter a whole number",
      maxMonthlySpend: "Cannot be negative",
      "allowedRentalTypes.0": expect.any(String),
      "allowedGpuTypes.0": expect.any(String),
    });
    expect(problems(planFormSchema.safeParse({ ...plan, maxMonthlySpend: "1.234" }))).toEqual({ maxMonthlySpend: "Enter an amount like 0.25 (at most 2 decimals)" });
  });

  it("refuses a per-VM limit above the plan's total", () => {
    expect(problems(planFormSchema.safeParse({ ...plan, maxCpuCoresPerVm: "4", maxGpusPerVm: "1" }))).toEqual({
      maxCpuCoresPerVm: "Cannot exceed the total (2)",
      maxGpusPerVm: "Cannot exceed the total (0)",
    });
  });
});

describe("memory typed in GiB (the forms), kept in MB (the API and the database)", () => {
  const plan = {
    name: "tiny",
    description: "",
    isDefault: false,
    maxCpuCoresPerVm: "1",
    maxMemoryMbPerVm: "1.5",
    maxDiskGbPerVm: "20",
    maxGpusPerVm: "0",
    maxCpuCoresSum: "2",
    maxMemoryMbSum: "8",
    maxDiskGbSum: "40",
    maxGpusSum: "0",
    maxVms: "2",
    maxMonthlySpend: "",
    allowedProviderIds: [],
    allowedRentalTypes: [],
    allowedGpuTypes: [],
  };

  it("converts GiB text to whole MB and back", () => {
    expect(gibTextToMb("1.5")).toBe("1536");
    expect(gibTextToMb(" 2,25 ")).toBe("2304");
    expect(gibTextToMb("")).toBe("");
    expect(gibTextToMb("lots")).toBe("lots");
    expect(mbToGibText(1536)).toBe("1.5");
    expect(mbToGibText("8192")).toBe("8");
    expect(mbToGibText(1000)).toBe("0.98");
    expect(mbToGibText(null)).toBe("");
  });

  it("a plan's memory in GiB becomes MB, which the server's MB schema accepts unchanged", () => {
    const parsed = planFormGibSchema.parse(plan);
    expect(parsed).toMatchObject({ maxMemoryMbPerVm: 1536, maxMemoryMbSum: 8192 });
    expect(planFormSchema.parse(parsed)).toEqual(parsed);
    expect(problems(planFormGibSchema.safeParse({ ...plan, maxMemoryMbPerVm: "9" }))).toEqual({ maxMemoryMbPerVm: "Cannot exceed the total (8 GiB)" });
    expect(problems(planFormGibSchema.safeParse({ ...plan, maxMemoryMbPerVm: "lots" }))).toEqual({ maxMemoryMbPerVm: "Enter a whole number" });
  });

  it("templates, imports and overrides take GiB too", () => {
    const template = { id: "t1", name: "d", os: "", description: "", public: true, enabled: true, userIds: [], teamIds: [], ciuser: "", settings: {}, minCpuCores: "1", minMemoryMb: "2", minDiskGb: "10", defaultCpuCores: "", defaultMemoryMb: "1", defaultDiskGb: "" };
    expect(problems(templateFormGibSchema.safeParse(template))).toEqual({ defaultMemoryMb: "Must be at least the minimum (2 GiB)" });
    expect(templateFormGibSchema.parse({ ...template, defaultMemoryMb: "4" })).toMatchObject({ minMemoryMb: 2048, defaultMemoryMb: 4096 });
    const row = { selected: true, ref: { id: "9001", data: {} }, name: "x", os: "", description: "", public: false, minCpuCores: "1", minMemoryMb: "0.5", minDiskGb: "8" };
    expect(importTemplatesGibSchema.parse({ providerId: "p", templates: [row] }).templates[0]).toMatchObject({ minMemoryMb: 512 });
    const overrides = quotaOverridesFormGibSchema.parse({ id: "u", overrides: { maxMemoryMbPerVm: "16", maxCpuCoresPerVm: "8", maxMemoryMbSum: "" } }).overrides;
    expect(overrides).toMatchObject({ maxMemoryMbPerVm: 16384, maxCpuCoresPerVm: 8, maxMemoryMbSum: null });
  });
});

describe("template forms", () => {
  const template = {
    id: "t1",
    name: "debian-12",
    os: "Debian 12",
    description: "",
    public: false,
    enabled: true,
    userIds: ["u1"],
    teamIds: [],
    ciuser: "",
    settings: { storage: "" },
    minCpuCores: "2",
    minMemoryMb: "2048",
    minDiskGb: "20",
    defaultCpuCores: "",
    defaultMemoryMb: "4096",
    defaultDiskGb: "",
  };

  it("keeps empty defaults as null and checks default ≥ minimum", () => {
    expect(templateFormSchema.parse(template)).toMatchObject({ defaultCpuCores: null, defaultMemoryMb: 4096, ciuser: null, settings: { storage: "" } });
    expect(problems(templateFormSchema.safeParse({ ...template, defaultCpuCores: "1", defaultDiskGb: "10" }))).toEqual({
      defaultCpuCores: "Must be at least the minimum (2 cores)",
      defaultDiskGb: "Must be at least the minimum (20 GB)",
    });
    expect(problems(templateFormSchema.safeParse({ ...template, ciuser: "Root User" }))).toEqual({ ciuser: "Must be a Unix user name, e.g. ubuntu" });
  });

  it("imports only the selected discovered templates, validating only those", () => {
    const ref = (id: string) => ({ id, data: { node: "pve2", vmid: Number(id) } });
    const row = { selected: true, ref: ref("9001"), name: "bookworm", os: "Debian 12", description: "", public: false, minCpuCores: "2", minMemoryMb: "2048", minDiskGb: "20" };
    const r = importTemplatesSchema.parse({ providerId: "p1", templates: [row, { selected: false, ref: ref("9000"), name: "" }] });
    expect(r.templates[0]).toMatchObject({ selected: true, ref: ref("9001"), minCpuCores: 2 });
    expect(problems(importTemplatesSchema.safeParse({ providerId: "p1", templates: [{ ...row, selected: false }] }))).toEqual({
      templates: "Select at least one template to import",
    });
    expect(problems(importTemplatesSchema.safeParse({ providerId: "p1", templates: [{ ...row, name: "" }, { ...row, ref: ref("9002"), name: "x" }, { ...row, name: "X" }] }))).toEqual({
      "templates.0.name": "Required",
      "templates.2.name": "Two templates cannot have the same name",
    });
  });
});

describe("user forms", () => {
  it("normalizes the email, and an empty password means: generate one", () => {
    const r = userCreateSchema.parse({ email: " Ada@Example.COM ", name: "Ada", role: "user", planId: "", teamId: "t1", password: "" });
    expect(r).toEqual({ email: "ada@example.com", name: "Ada", role: "user", planId: null, teamId: "t1", password: undefined });
    expect(problems(userCreateSchema.safeParse({ email: "ada", name: "", role: "root", planId: "", teamId: "", password: "short" }))).toEqual({
      email: "must be a valid email address",
      role: expect.any(String),
      password: "must be at least 8 characters",
    });
    expect(userUpdateSchema.parse({ id: "u1", name: "", role: "admin", planId: "p1", teamId: "", disabled: true })).toMatchObject({ teamId: null, disabled: true });
  });

  it("takes overrides of known plan limits only; empty inherits", () => {
    const r = quotaOverridesFormSchema.parse({ id: "u1", overrides: { maxCpuCoresSum: "32", maxVms: "", maxMonthlySpend: "99.90" } });
    expect(r.overrides).toMatchObject({ maxCpuCoresSum: 32, maxVms: null, maxMonthlySpend: "99.90" });
    expect(problems(quotaOverridesFormSchema.safeParse({ id: "u1", overrides: { maxCores: "3" } }))).toEqual({ overrides: expect.stringContaining("maxCores") });
    expect(problems(quotaOverridesFormSchema.safeParse({ id: "u1", overrides: { maxVms: "-1", maxCpuCoresPerVm: "2.5" } }))).toEqual({
      "overrides.maxVms": "Cannot be negative",
      "overrides.maxCpuCoresPerVm": "Enter a whole number",
    });
  });
});

describe("prices form", () => {
  it("takes non-negative decimals with up to 4 places and a three-letter currency", () => {
    const r = pricesFormSchema.parse({ currency: "eur", vcpuHour: "0.0125", memoryGbHour: "0,005", diskGbMonth: "", gpuHour: { "5090": "", "4090": "0.5", "6000pro": "2" } });
    expect(r).toEqual({ currency: "EUR", vcpuHour: "0.0125", memoryGbHour: "0.005", diskGbMonth: null, gpuHour: { "5090": null, "4090": "0.5", "6000pro": "2" } });
    expect(
      problems(pricesFormSchema.safeParse({ currency: "euro", vcpuHour: "-1", memoryGbHour: "0.00001", diskGbMonth: "abc", gpuHour: { "5090": "", "4090": "", "6000pro": "" } })),
    ).toEqual({
      currency: "Use a three-letter currency code like EUR",
      vcpuHour: "Cannot be negative",
      memoryGbHour: "Enter an amount like 0.25 (at most 4 decimals)",
      diskGbMonth: "Enter an amount like 0.25 (at most 4 decimals)",
    });
  });
});

describe("audit filter", () => {
  it("reads the query string: optional filters, a page that falls back to 1, ordered dates", () => {
    expect(auditFilterSchema.parse({})).toEqual({ actor: "", action: "", targetType: "", page: 1 });
    expect(auditFilterSchema.parse({ actor: "admin", from: "2026-01-01", to: "2026-01-31", page: "3" })).toMatchObject({ from: "2026-01-01", to: "2026-01-31", page: 3 });
    expect(auditFilterSchema.parse({ page: "zero" }).page).toBe(1);
    expect(problems(auditFilterSchema.safeParse({ from: "2026-02-01", to: "2026-01-01" }))).toEqual({ to: "Must not be before the start date" });
    expect(problems(auditFilterSchema.safeParse({ from: "yesterday" }))).toEqual({ from: "Use a date like 2026-01-31" });
  });
});

describe("every form schema accepts its own output", () => {
  // A form sends what zodResolver parsed; its server action parses that again with the same schema.
  const samples: [string, { parse: (v: unknown) => unknown }, unknown][] = [
    [
      "provider",
      providerFormSchema,
      { id: "p1", name: "lab", kind: "pve", url: "https://pve:8006", pveAuth: "token", tokenId: "root@pam!t", secret: "", username: "", password: "", realm: "", apiKey: "", tlsVerify: true, tlsCa: "", tlsFingerprint: "", defaultStorage: "", enabled: true },
    ],
    [
      "template",
      templateFormSchema,
      { id: "t1", name: "t", os: "", description: "", public: true, enabled: true, userIds: [], teamIds: [], ciuser: "", settings: {}, minCpuCores: "1", minMemoryMb: "512", minDiskGb: "8", defaultCpuCores: "", defaultMemoryMb: "", defaultDiskGb: "" },
    ],
    [
      "import",
      importTemplatesSchema,
      { providerId: "p1", templates: [{ selected: true, ref: { id: "9000", data: { node: "pve1", vmid: 9000 } }, name: "n", os: "", description: "", public: false, minCpuCores: "1", minMemoryMb: "512", minDiskGb: "8" }, { selected: false, name: "" }] },
    ],
    [
      "plan",
      planFormSchema,
      { name: "p", description: "", isDefault: false, maxCpuCoresPerVm: "1", maxMemoryMbPerVm: "1", maxDiskGbPerVm: "1", maxGpusPerVm: "0", maxCpuCoresSum: "1", maxMemoryMbSum: "1", maxDiskGbSum: "1", maxGpusSum: "0", maxVms: "1", maxMonthlySpend: "", allowedProviderIds: [], allowedRentalTypes: [], allowedGpuTypes: [] },
    ],
    ["user create", userCreateSchema, { email: "A@B.CD", name: "", role: "user", planId: "", teamId: "", password: "" }],
    ["user update", userUpdateSchema, { id: "u", name: "", role: "user", planId: "", teamId: "", disabled: false }],
    ["overrides", quotaOverridesFormSchema, { id: "u", overrides: { maxVms: "", maxCpuCoresSum: "4", maxMonthlySpend: "1.5" } }],
    ["prices", pricesFormSchema, { currency: "eur", vcpuHour: "", memoryGbHour: "0.1", diskGbMonth: "", gpuHour: { "5090": "", "4090": "1", "6000pro": "" } }],
    ["audit filter", auditFilterSchema, { actor: "", action: "", targetType: "", from: "", to: "", page: "2" }],
    ["team", teamFormSchema, { name: "t", description: "", planId: "" }],
    ["team members", teamMembersSchema, { teamId: "t", userIds: ["u"] }],
    ["plan assignment", planAssignSchema, { planId: "p", userIds: [], teamIds: ["t"] }],
  ];
  it.each(samples)("%s", (_name, schema, input) => {
    const once = schema.parse(input);
    expect(schema.parse(once)).toEqual(once);
  });
});
