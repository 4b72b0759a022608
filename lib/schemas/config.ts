import { z } from "zod";
import { RENTAL_TYPES } from "./catalog";
import { GPU_TYPE_ID, gpuTypeId } from "./gpu-order";
import { emailSchema, passwordSchema, roles } from "./user";

/**
 * The configuration file of `npm run hangar -- apply FILE.json` (and HANGAR_CONFIG at start).
 * camelCase throughout; hangar.example.json at the repository root shows every field.
 */
const name = z.string().trim().min(1, "is required").max(100);
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().min(0);
/** A non-negative amount of money with at most `places` decimals (JSON number). */
const amount = (places: number) =>
  z
    .number()
    .min(0)
    .refine((n) => Number(n.toFixed(places)) === n, `must have at most ${places} decimals`);

export const tlsSchema = z
  .object({
    verify: z.boolean().default(true),
    ca: z.string().min(1).optional(),
    fingerprint: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, "must be a SHA-256 fingerprint like AB:CD:…(32 pairs)")
      .optional(),
  })
  .strict();

const providerBase = {
  name,
  url: z.url("must be a URL like https://host:8006"),
  tls: tlsSchema.default({ verify: true }),
  enabled: z.boolean().default(true),
  /** Serve this provider from Hangar's built-in simulator (demos): started with the portal, `url` is then ignored. */
  simulated: z.boolean().default(false),
};

const pveProvider = z
  .object({
    ...providerBase,
    kind: z.literal("pve"),
    tokenId: z.string().regex(/^[^@\s]+@[^!\s]+![\w.-]+$/, "must look like user@realm!tokenname").optional(),
    secret: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    realm: z.string().min(1).optional(),
  })
  // The kind's connection settings come beside (e.g. a default placement), checked by its module.
  .catchall(z.unknown())
  .superRefine((p, ctx) => {
    const token = p.tokenId !== undefined || p.secret !== undefined;
    const ticket = p.username !== undefined || p.password !== undefined;
    if (token && (!p.tokenId || !p.secret)) ctx.addIssue({ code: "custom", path: [p.tokenId ? "secret" : "tokenId"], message: "is required with API-token auth" });
    if (ticket && (!p.username || !p.password)) ctx.addIssue({ code: "custom", path: [p.username ? "password" : "username"], message: "is required with ticket auth" });
    if (!token && !ticket) ctx.addIssue({ code: "custom", path: ["tokenId"], message: "give tokenId and secret (API token) or username and password (ticket)" });
  });

const vergeosProvider = z
  .object({
    ...providerBase,
    kind: z.literal("vergeos"),
    apiKey: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
  })
  // The kind's connection settings come beside (e.g. a default placement), checked by its module.
  .catchall(z.unknown())
  .refine((p) => Boolean(p.apiKey || (p.username && p.password)), { path: ["apiKey"], message: "give apiKey, or username and password" });

/** Nova Cloud: an API key `nv_…` (recommended), or the account's e-mail and password (JWT login). */
const novaProvider = z
  .object({
    ...providerBase,
    kind: z.literal("nova"),
    apiKey: z.string().min(1).optional(),
    email: emailSchema.optional(),
    password: z.string().min(1).optional(),
  })
  // The kind's connection settings come beside (e.g. a storage price), checked by its module.
  .catchall(z.unknown())
  .superRefine((p, ctx) => {
    if (p.apiKey) return;
    if (!p.email && !p.password) ctx.addIssue({ code: "custom", path: ["apiKey"], message: "give apiKey (nv_…), or email and password" });
    else if (!p.email || !p.password) ctx.addIssue({ code: "custom", path: [p.email ? "password" : "email"], message: "is required with e-mail login" });
  });

export const providerConfigSchema = z.discriminatedUnion("kind", [pveProvider, vergeosProvider, novaProvider]);

/** The fields of a provider entry that are not the kind's connection settings, by kind. */
export const PROVIDER_ENTRY_FIELDS: Record<"pve" | "vergeos" | "nova", readonly string[]> = {
  pve: Object.keys(pveProvider.shape),
  vergeos: Object.keys(vergeosProvider.shape),
  nova: Object.keys(novaProvider.shape),
};

const templateDefaults = [
  ["defaultCpuCores", "minCpuCores"],
  ["defaultMemoryMb", "minMemoryMb"],
  ["defaultDiskGb", "minDiskGb"],
] as const;

/** The fields of a template that every provider kind shares (the kind's own fields come beside them). */
export const TEMPLATE_COMMON_FIELDS = [
  "name",
  "provider",
  "public",
  "enabled",
  "ciuser",
  "os",
  "description",
  "minCpuCores",
  "minMemoryMb",
  "minDiskGb",
  "defaultCpuCores",
  "defaultMemoryMb",
  "defaultDiskGb",
  "users",
  "teams",
] as const;

export const templateConfigSchema = z
  .object({
    name,
    provider: name,
    public: z.boolean().default(false),
    enabled: z.boolean().default(true),
    ciuser: z.string().min(1).optional(),
    os: z.string().default(""),
    description: z.string().default(""),
    minCpuCores: positiveInt.default(1),
    minMemoryMb: positiveInt.default(512),
    minDiskGb: positiveInt.default(8),
    /** What the New VM wizard suggests; absent: the minimum. */
    defaultCpuCores: positiveInt.optional(),
    defaultMemoryMb: positiveInt.optional(),
    defaultDiskGb: positiveInt.optional(),
    users: z.array(emailSchema).default([]),
    /** Names of teams whose members may use the template when it is not public. */
    teams: z.array(name).default([]),
  })
  // Where the template lives and its settings are the provider kind's own fields, checked by
  // the kind's module (`templateFields`, lib/config/apply.ts).
  .catchall(z.unknown())
  .superRefine((t, ctx) => {
    for (const [def, min] of templateDefaults) {
      const d = t[def];
      if (d !== undefined && d < t[min]) ctx.addIssue({ code: "custom", path: [def], message: `must be at least ${min} (${t[min]})` });
    }
  });

export const planConfigSchema = z
  .object({
    name,
    description: z.string().default(""),
    default: z.boolean().default(false),
    perVm: z.object({ cpuCores: positiveInt, memoryMb: positiveInt, diskGb: positiveInt, gpus: nonNegativeInt.default(0) }).strict(),
    total: z
      .object({
        cpuCores: positiveInt,
        memoryMb: positiveInt,
        diskGb: positiveInt,
        vms: positiveInt,
        gpus: nonNegativeInt.default(0),
        /** In the portal's currency; absent or null: no limit. */
        monthlySpend: amount(2).nullable().default(null),
      })
      .strict(),
    /** Names of the providers the plan may use; empty: all. */
    allowedProviders: z.array(name).default([]),
    /** Empty: all. */
    allowedRentalTypes: z.array(z.enum(RENTAL_TYPES)).default([]),
    /** Empty: all. */
    /** GPU type ids as the providers' offers name them (opaque, e.g. "4090"). Empty: all. */
    allowedGpuTypes: z.array(gpuTypeId("GPU type")).default([]),
  })
  .strict();

export const teamConfigSchema = z
  .object({
    name,
    description: z.string().default(""),
    /** The plan whose aggregate limits the members share; absent: none. */
    plan: name.optional(),
  })
  .strict();

const price = amount(4);
export const pricesConfigSchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, "must be a three-letter currency code like EUR").optional(),
    vcpuHour: price.optional(),
    memoryGbHour: price.optional(),
    diskGbMonth: price.optional(),
    /** Per GPU-hour by GPU type, e.g. {"4090": 0.5}. */
    gpuHour: z.record(z.string().regex(GPU_TYPE_ID, "must be a GPU type id such as \"4090\" (letters, digits, _ -)"), price).default({}),
  })
  .strict();

export const userConfigSchema = z
  .object({
    email: emailSchema,
    password: passwordSchema.optional(),
    name: z.string().optional(),
    role: z.enum(roles).default("user"),
    plan: name.optional(),
    /** The user's team (a user is in at most one); absent: unchanged. */
    team: name.optional(),
    disabled: z.boolean().default(false),
    /**
     * Whether the user's personal API tokens survive a password change or a disable made by this
     * file (default false: they are revoked). Browser sessions and API login tokens end regardless.
     */
    keepApiTokens: z.boolean().default(false),
  })
  .strict();

export const hangarConfigSchema = z
  .object({
    $schema: z.string().optional(),
    providers: z.array(providerConfigSchema).default([]),
    templates: z.array(templateConfigSchema).default([]),
    plans: z.array(planConfigSchema).default([]),
    teams: z.array(teamConfigSchema).default([]),
    users: z.array(userConfigSchema).default([]),
    prices: pricesConfigSchema.optional(),
  })
  .strict();

export type HangarConfig = z.infer<typeof hangarConfigSchema>;
/** A configuration as written (defaults not yet filled in). */
export type HangarConfigInput = z.input<typeof hangarConfigSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
