import { z } from "zod";
import { emailSchema, passwordSchema, roles } from "./user";

/**
 * The configuration file of `npm run hangar -- apply FILE.json` (and HANGAR_CONFIG at start).
 * camelCase throughout; hangar.example.json at the repository root shows every field.
 */
const name = z.string().trim().min(1, "is required").max(100);
const positiveInt = z.number().int().positive();

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
  defaultStorage: z.string().min(1).optional(),
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
  .strict()
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
  .strict()
  .refine((p) => Boolean(p.apiKey || (p.username && p.password)), { path: ["apiKey"], message: "give apiKey, or username and password" });

const novaProvider = z.object({ ...providerBase, kind: z.literal("nova"), apiKey: z.string().min(1) }).strict();

export const providerConfigSchema = z.discriminatedUnion("kind", [pveProvider, vergeosProvider, novaProvider]);

export const templateConfigSchema = z
  .object({
    name,
    provider: name,
    node: z.string().trim().min(1),
    vmid: z.number().int().min(100).max(999_999_999),
    public: z.boolean().default(false),
    enabled: z.boolean().default(true),
    ciuser: z.string().min(1).optional(),
    os: z.string().default(""),
    description: z.string().default(""),
    storage: z.string().min(1).optional(),
    minCpuCores: positiveInt.default(1),
    minMemoryMb: positiveInt.default(512),
    minDiskGb: positiveInt.default(8),
    users: z.array(emailSchema).default([]),
  })
  .strict();

export const planConfigSchema = z
  .object({
    name,
    description: z.string().default(""),
    default: z.boolean().default(false),
    perVm: z.object({ cpuCores: positiveInt, memoryMb: positiveInt, diskGb: positiveInt }).strict(),
    total: z.object({ cpuCores: positiveInt, memoryMb: positiveInt, diskGb: positiveInt, vms: positiveInt }).strict(),
  })
  .strict();

export const userConfigSchema = z
  .object({
    email: emailSchema,
    password: passwordSchema.optional(),
    name: z.string().optional(),
    role: z.enum(roles).default("user"),
    plan: name.optional(),
    disabled: z.boolean().default(false),
  })
  .strict();

export const hangarConfigSchema = z
  .object({
    $schema: z.string().optional(),
    providers: z.array(providerConfigSchema).default([]),
    templates: z.array(templateConfigSchema).default([]),
    plans: z.array(planConfigSchema).default([]),
    users: z.array(userConfigSchema).default([]),
  })
  .strict();

export type HangarConfig = z.infer<typeof hangarConfigSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
