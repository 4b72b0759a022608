import { z } from "zod";
import { LIMIT_KEYS, type LimitKey } from "../quota/limits";
import { PROVIDER_KINDS, RENTAL_TYPES } from "./catalog";
import { GPU_TYPE_ID, gpuTypeId } from "./gpu-order";
import { text } from "./text";
import { emailSchema, passwordSchema, roles } from "./user";

/**
 * The admin console's forms. Each schema validates a form in the browser (react-hook-form's
 * zodResolver) and the same input again in its server action, so both give the same messages.
 * Inputs arrive as the browser sends them (numbers as strings, "" for empty); outputs are clean.
 * The form sends its parsed output to the server action, which parses it again: every schema
 * accepts its own output unchanged (admin.test.ts checks). Free of server-only imports.
 */

// ── building blocks ──────────────────────────────────────────────────────────────────────────

const id = text(200).trim().min(1, "Required");
const name = text(100).trim().min(1, "Required").max(100, "At most 100 characters");
const description = text(2000, { multiline: true }).trim().max(2000, "At most 2000 characters");
const ids = z.array(text(200).min(1)).max(10_000);

const emptyToUndefined = (v: unknown) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.trim())) : v);
const emptyToNull = (v: unknown) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? null : typeof v === "string" ? Number(v.trim()) : v);

function wholeNumber(min: number, max: number) {
  return z
    .number({ error: (issue) => (issue.input === undefined ? "Required" : "Enter a whole number") })
    .int("Enter a whole number")
    .min(min, min === 0 ? "Cannot be negative" : `Must be at least ${min}`)
    .max(max, `Must be at most ${max}`);
}

/** A required whole number (the browser's "3" or 3). */
export const intField = (min = 1, max = 100_000_000) => z.preprocess(emptyToUndefined, wholeNumber(min, max));
/** A whole number or nothing ("" → null). */
export const optionalIntField = (min = 1, max = 100_000_000) => z.preprocess(emptyToNull, wholeNumber(min, max).nullable());

/** A non-negative decimal with at most `places` decimals, kept as a string (exact money). */
export function decimalField(places: number, integerDigits: number) {
  const pattern = new RegExp(`^\\d{1,${integerDigits}}(\\.\\d{1,${places}})?$`);
  return z.preprocess(
    (v) => (typeof v === "number" ? String(v) : typeof v === "string" ? v.trim().replace(",", ".") : v),
    z
      .string({ error: "Required" })
      .min(1, "Required")
      .refine((s) => !s.startsWith("-"), "Cannot be negative")
      .refine((s) => s.startsWith("-") || pattern.test(s), `Enter an amount like 0.25 (at most ${places} decimals)`),
  );
}
/** A decimal or nothing ("" → null). */
export function optionalDecimalField(places: number, integerDigits: number) {
  return z.preprocess((v) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? null : v), decimalField(places, integerDigits).nullable());
}

/** "" → null for optional references (a select's "none" option). */
const optionalId = z.preprocess((v) => (v === "" || v === undefined ? null : v), text(200).min(1).nullable());

/** Optional text: "" → null (and null stays null, so a parsed value parses again the same). */
const optionalText = (max: number, pattern?: { re: RegExp; message: string }) =>
  z.preprocess(
    (v) => v ?? "",
    text(max)
      .trim()
      .max(max, `At most ${max} characters`)
      .refine((s) => !pattern || s === "" || pattern.re.test(s), pattern?.message ?? "Invalid")
      .transform((s) => (s === "" ? null : s)),
  );

export const FINGERPRINT_RE = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;
export const PVE_TOKEN_ID_RE = /^[^@\s]+@[^!\s]+![\w.-]+$/;
const UNIX_USER = { re: /^[a-z_][a-z0-9_-]*$/, message: "Must be a Unix user name, e.g. ubuntu" };

// ── providers ────────────────────────────────────────────────────────────────────────────────

/**
 * A provider connection. Secrets (`secret`, `password`, `apiKey`) are write-only: on edit
 * (`id` set) an empty one keeps what is stored; the server checks that something is stored.
 */
export const providerFormSchema = z
  .object({
    id: text(200).optional(),
    name,
    kind: z.enum(PROVIDER_KINDS),
    url: text(2000).trim().pipe(z.url({ protocol: /^https?$/, error: "Must be a URL like https://host:8006" })),
    pveAuth: z.enum(["token", "password"]),
    /**
     * How a VergeOS or Nova Cloud connection signs in: `apiKey`; `password` (VergeOS: user name
     * and password as HTTP Basic on every request; Nova Cloud: email and password, `POST
     * /auth/login`); `session` (VergeOS only: user name and password exchanged for a session token,
     * `POST /api/sys/tokens`). Left out: an API key, or on edit the login that is stored.
     */
    authMode: z.enum(["apiKey", "password", "session"]).optional(),
    tokenId: text(200).trim(),
    secret: text(1000),
    username: text(200).trim(),
    password: text(1000),
    realm: text(100).trim(),
    apiKey: text(1000),
    tlsVerify: z.boolean(),
    tlsCa: text(64_000, { multiline: true }).trim(),
    tlsFingerprint: text(200).trim(),
    /** The kind's connection settings as text (empty: not set), checked by its module on the server. */
    settings: z.record(z.string(), z.string().trim().max(2000, "At most 2000 characters")).default({}),
    enabled: z.boolean(),
  })
  .superRefine((p, ctx) => {
    const creating = !p.id;
    const need = (field: "tokenId" | "secret" | "username" | "password" | "apiKey", message = "Required") => {
      if (!p[field]) ctx.addIssue({ code: "custom", path: [field], message });
    };
    if (p.kind === "pve" && p.pveAuth === "token") {
      need("tokenId");
      if (p.tokenId && !PVE_TOKEN_ID_RE.test(p.tokenId)) ctx.addIssue({ code: "custom", path: ["tokenId"], message: "Must look like user@realm!tokenname" });
      if (creating) need("secret");
    }
    if (p.kind === "pve" && p.pveAuth === "password") {
      need("username");
      if (creating) need("password");
    }
    if (p.kind === "vergeos" || p.kind === "nova") {
      const mode = p.authMode ?? "apiKey";
      if (mode === "session" && p.kind === "nova") ctx.addIssue({ code: "custom", path: ["authMode"], message: "Nova Cloud signs in with an API key, or an email and password" });
      else if (mode === "apiKey") {
        if (creating) need("apiKey");
      } else {
        need("username");
        if (p.kind === "nova" && p.username && !/^[^\s@]+@[^\s@]+$/.test(p.username)) ctx.addIssue({ code: "custom", path: ["username"], message: "Must be the account's email address" });
        if (creating) need("password");
      }
    }
    if (p.tlsFingerprint && !FINGERPRINT_RE.test(p.tlsFingerprint)) {
      ctx.addIssue({ code: "custom", path: ["tlsFingerprint"], message: "Must be a SHA-256 fingerprint: 32 pairs like AB:CD:…" });
    }
    if (p.tlsCa && !p.tlsCa.includes("-----BEGIN CERTIFICATE-----")) {
      ctx.addIssue({ code: "custom", path: ["tlsCa"], message: "Must be a PEM certificate (-----BEGIN CERTIFICATE-----)" });
    }
  });
export type ProviderFormInput = z.input<typeof providerFormSchema>;
export type ProviderForm = z.output<typeof providerFormSchema>;

// ── templates ────────────────────────────────────────────────────────────────────────────────

const templateSizes = {
  minCpuCores: intField(1, 1024),
  minMemoryMb: intField(16, 16_777_216),
  minDiskGb: intField(1, 1_000_000),
};

const templateDetails = {
  name,
  os: text(100).trim().max(100, "At most 100 characters"),
  description,
  public: z.boolean(),
};

export const templateFormSchema = z
  .object({
    id,
    ...templateDetails,
    enabled: z.boolean(),
    userIds: ids,
    teamIds: ids,
    ciuser: optionalText(32, UNIX_USER),
    /** The provider kind's template settings as text (empty: not set), checked by its module on the server. */
    settings: z.record(z.string(), z.string().trim().max(200, "At most 200 characters")).default({}),
    ...templateSizes,
    defaultCpuCores: optionalIntField(1, 1024),
    defaultMemoryMb: optionalIntField(16, 16_777_216),
    defaultDiskGb: optionalIntField(1, 1_000_000),
  })
  .superRefine((t, ctx) => {
    const pairs = [
      ["defaultCpuCores", "minCpuCores", "cores"],
      ["defaultMemoryMb", "minMemoryMb", "GiB"],
      ["defaultDiskGb", "minDiskGb", "GB"],
    ] as const;
    for (const [def, min, unit] of pairs) {
      const d = t[def];
      const m = t[min];
      if (d !== null && typeof m === "number" && d < m) ctx.addIssue({ code: "custom", path: [def], message: `Must be at least the minimum (${unit === "GiB" ? mbToGibText(m) : m} ${unit})` });
    }
  });
export type TemplateFormInput = z.input<typeof templateFormSchema>;
export type TemplateForm = z.output<typeof templateFormSchema>;

/** One discovered template in the import form: only the selected ones are validated and imported. */
const discoveredTemplateRow = z.discriminatedUnion("selected", [
  z.looseObject({ selected: z.literal(false) }),
  z.object({
    selected: z.literal(true),
    /** The template's reference as discovery returned it (checked by its kind's module on the server). */
    ref: z.object({ id: z.string().min(1).max(200), data: z.record(z.string(), z.unknown()) }),
    ...templateDetails,
    ...templateSizes,
  }),
]);

export const importTemplatesSchema = z
  .object({ providerId: id, templates: z.array(discoveredTemplateRow) })
  .refine((v) => v.templates.some((t) => t.selected), { path: ["templates"], message: "Select at least one template to import" })
  .superRefine((v, ctx) => {
    const seen = new Map<string, number>();
    v.templates.forEach((t, i) => {
      if (!t.selected) return;
      const key = t.name.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["templates", i, "name"], message: "Two templates cannot have the same name" });
      seen.set(key, i);
    });
  });
export type ImportTemplatesInput = z.input<typeof importTemplatesSchema>;
export type ImportTemplates = z.output<typeof importTemplatesSchema>;
export type ImportTemplateRow = Extract<ImportTemplates["templates"][number], { selected: true }>;

// ── plans ────────────────────────────────────────────────────────────────────────────────────

export const planFormSchema = z
  .object({
    id: text(200).optional(),
    name,
    description,
    isDefault: z.boolean(),
    maxCpuCoresPerVm: intField(1, 100_000),
    maxMemoryMbPerVm: intField(1, 100_000_000),
    maxDiskGbPerVm: intField(1, 100_000_000),
    maxGpusPerVm: intField(0, 1_000),
    maxCpuCoresSum: intField(1, 100_000),
    maxMemoryMbSum: intField(1, 100_000_000),
    maxDiskGbSum: intField(1, 100_000_000),
    maxGpusSum: intField(0, 1_000),
    maxVms: intField(1, 100_000),
    /** In the portal's currency; null: no limit. */
    maxMonthlySpend: optionalDecimalField(2, 10),
    allowedProviderIds: ids,
    allowedRentalTypes: z.array(z.enum(RENTAL_TYPES)),
    /** GPU type ids as the providers' offers name them (opaque). */
    allowedGpuTypes: z.array(gpuTypeId("GPU type")).max(200),
  })
  .superRefine((p, ctx) => {
    const pairs = [
      ["maxCpuCoresPerVm", "maxCpuCoresSum"],
      ["maxMemoryMbPerVm", "maxMemoryMbSum"],
      ["maxDiskGbPerVm", "maxDiskGbSum"],
      ["maxGpusPerVm", "maxGpusSum"],
    ] as const;
    for (const [perVm, sum] of pairs) {
      if (typeof p[perVm] === "number" && typeof p[sum] === "number" && p[perVm] > p[sum]) {
        ctx.addIssue({ code: "custom", path: [perVm], message: `Cannot exceed the total (${perVm === "maxMemoryMbPerVm" ? `${mbToGibText(p[sum])} GiB` : p[sum]})` });
      }
    }
  });
export type PlanFormInput = z.input<typeof planFormSchema>;
export type PlanForm = z.output<typeof planFormSchema>;

export const planAssignSchema = z
  .object({ planId: id, userIds: ids, teamIds: ids })
  .refine((v) => v.userIds.length + v.teamIds.length > 0, { path: ["userIds"], message: "Choose at least one user or team" });
export type PlanAssignInput = z.input<typeof planAssignSchema>;

export const idSchema = z.object({ id });

// ── teams ────────────────────────────────────────────────────────────────────────────────────

export const teamFormSchema = z.object({ id: text(200).optional(), name, description, planId: optionalId });
export type TeamFormInput = z.input<typeof teamFormSchema>;
export type TeamForm = z.output<typeof teamFormSchema>;

export const teamMembersSchema = z.object({ teamId: id, userIds: ids.min(1, "Choose at least one user") });
export const teamMemberSchema = z.object({ teamId: id, userId: id });

// ── users ────────────────────────────────────────────────────────────────────────────────────

export const userCreateSchema = z.object({
  email: emailSchema,
  name: text(200).trim().max(200, "At most 200 characters"),
  role: z.enum(roles),
  planId: optionalId,
  teamId: optionalId,
  /** Empty: the server generates one and shows it once. */
  password: z.preprocess((v) => (v === "" ? undefined : v), passwordSchema.optional()),
});
export type UserCreateInput = z.input<typeof userCreateSchema>;
export type UserCreate = z.output<typeof userCreateSchema>;

export const userUpdateSchema = z.object({
  id,
  name: text(200).trim().max(200, "At most 200 characters"),
  role: z.enum(roles),
  planId: optionalId,
  teamId: optionalId,
  disabled: z.boolean(),
});
export type UserUpdateInput = z.input<typeof userUpdateSchema>;
export type UserUpdate = z.output<typeof userUpdateSchema>;

export const OVERRIDE_KEYS = LIMIT_KEYS;
export type OverrideKey = LimitKey;

/** Per-user overrides of single plan limits: keys are Plan columns; empty inherits the plan's. */
export const quotaOverridesFormSchema = z.object({
  id,
  overrides: z.strictObject(
    Object.fromEntries(LIMIT_KEYS.map((k) => [k, k === "maxMonthlySpend" ? optionalDecimalField(2, 10) : optionalIntField(0, 100_000_000)])) as Record<
      LimitKey,
      ReturnType<typeof optionalIntField> | ReturnType<typeof optionalDecimalField>
    >,
  ),
});
export type QuotaOverridesFormInput = z.input<typeof quotaOverridesFormSchema>;
export type QuotaOverridesForm = z.output<typeof quotaOverridesFormSchema>;

// ── prices ───────────────────────────────────────────────────────────────────────────────────

const price = optionalDecimalField(4, 8);
export const pricesFormSchema = z.object({
  currency: text(10)
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, "Use a three-letter currency code like EUR"),
  vcpuHour: price,
  memoryGbHour: price,
  diskGbMonth: price,
  /** Per GPU-hour by GPU type id (the providers' offers name them). */
  gpuHour: z.record(z.string().regex(GPU_TYPE_ID, "Not a GPU type id"), price),
});
export type PricesFormInput = z.input<typeof pricesFormSchema>;
export type PricesForm = z.output<typeof pricesFormSchema>;

// ── audit log ────────────────────────────────────────────────────────────────────────────────

const day = text(20)
  .trim()
  .refine((s) => s === "" || (/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))), "Use a date like 2026-01-31")
  .transform((s) => s || undefined);

/** The audit log's filters, from the URL's query (all optional). */
export const auditFilterSchema = z
  .object({
    actor: text(200).trim().default(""),
    action: text(100).trim().default(""),
    targetType: text(50).trim().default(""),
    from: day.optional(),
    to: day.optional(),
    page: z.preprocess((v) => (v === "" || v === undefined ? 1 : Number(v)), z.number().int().min(1).max(100_000)).catch(1),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "Must not be before the start date" });
export type AuditFilterInput = z.input<typeof auditFilterSchema>;
export type AuditFilter = z.output<typeof auditFilterSchema>;

// ── memory typed in GiB ──────────────────────────────────────────────────────────────────────

/**
 * GiB as a person types it ("1.5", "1,5", " 8 ") → whole MB as text ("1536"), what the schemas
 * above take; "" stays "" (empty), anything else as it is (the schema then says what is wrong).
 */
export function gibTextToMb(value: unknown): unknown {
  if (typeof value !== "string" || value.trim() === "") return value;
  const gib = Number(value.trim().replace(",", "."));
  return Number.isFinite(gib) ? String(Math.round(gib * 1024)) : value;
}

/** MB (a number or its text) → GiB as text for a form ("1536" → "1.5"); "" and null stay "". */
export function mbToGibText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "";
  const mb = Number(value);
  return Number.isFinite(mb) ? String(Math.round((mb / 1024) * 100) / 100) : String(value);
}

/** `values` with the memory fields at `keys` converted from typed GiB to MB text (other keys unchanged). */
function memoryInMb(values: unknown, keys: readonly string[]): unknown {
  if (!values || typeof values !== "object" || Array.isArray(values)) return values;
  const copy: Record<string, unknown> = { ...(values as Record<string, unknown>) };
  for (const k of keys) if (k in copy) copy[k] = gibTextToMb(copy[k]);
  return copy;
}

/**
 * The forms that take memory in GiB (the API, the configuration file and the database keep MB,
 * as the seed says). Each converts the typed GiB to MB, then checks with its MB schema above, so
 * its output is the MB schema's output, which the form sends and its server action parses again.
 */
// Typed as their MB schemas: the same fields (text from the form), the same output.
export const planFormGibSchema = z.preprocess((v) => memoryInMb(v, ["maxMemoryMbPerVm", "maxMemoryMbSum"]), planFormSchema) as unknown as typeof planFormSchema;
export const templateFormGibSchema = z.preprocess((v) => memoryInMb(v, ["minMemoryMb", "defaultMemoryMb"]), templateFormSchema) as unknown as typeof templateFormSchema;
export const importTemplatesGibSchema = z.preprocess((v) => {
  if (!v || typeof v !== "object" || !Array.isArray((v as { templates?: unknown }).templates)) return v;
  const form = v as { templates: unknown[] };
  return { ...form, templates: form.templates.map((t) => memoryInMb(t, ["minMemoryMb"])) };
}, importTemplatesSchema) as unknown as typeof importTemplatesSchema;
export const quotaOverridesFormGibSchema = z.preprocess((v) => {
  if (!v || typeof v !== "object") return v;
  const form = v as { overrides?: unknown };
  return { ...form, overrides: memoryInMb(form.overrides, ["maxMemoryMbPerVm", "maxMemoryMbSum"]) };
}, quotaOverridesFormSchema) as unknown as typeof quotaOverridesFormSchema;
