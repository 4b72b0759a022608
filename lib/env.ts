import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

/** Every environment variable Hangar reads, checked once. README's table mirrors this. */
export const envSchema = z.object({
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  HANGAR_DATA_DIR: z.string().default(".data"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HANGAR_HOST: z.string().default("0.0.0.0"),
  HANGAR_SECRET_KEY: z.string().optional(),
  NEXTAUTH_SECRET: z.string().optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  HANGAR_SESSION_HOURS: z.coerce.number().positive().default(12),
  HANGAR_API_TOKEN_HOURS: z.coerce.number().positive().default(24),
  HANGAR_OIDC_ISSUER: z.string().url().optional(),
  HANGAR_OIDC_CLIENT_ID: z.string().optional(),
  HANGAR_OIDC_CLIENT_SECRET: z.string().optional(),
  HANGAR_OIDC_NAME: z.string().default("Single sign-on"),
  HANGAR_CONFIG: z.string().optional(),
  HANGAR_DEMO: z.enum(["auto", "on", "off"]).default("auto"),
  HANGAR_TRUST_PROXY: bool.default(false),
  HANGAR_LOGIN_MAX_FAILURES_ACCOUNT: z.coerce.number().int().positive().default(5),
  HANGAR_LOGIN_MAX_FAILURES_IP: z.coerce.number().int().positive().default(20),
  HANGAR_LOGIN_MAX_FAILURES_ACCOUNT_TOTAL: z.coerce.number().int().positive().default(100),
  HANGAR_LOGIN_WINDOW_MINUTES: z.coerce.number().positive().default(15),
  HANGAR_DB_MAX_CONNECTIONS: z.coerce.number().int().positive().default(10),
  // How many tasks one worker process runs at once (each mostly waits on its provider).
  HANGAR_WORKER_CONCURRENCY: z.coerce.number().int().positive().max(256).default(16),
  // How often an idle worker looks for task jobs that no NOTIFY announces: retries whose delay is
  // over, jobs of a dead worker put back by pg-boss's monitor (pg-boss's own backstop is 30 s).
  HANGAR_JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  // `npm start` runs a worker in the web process unless this is false (web servers beside `npm run worker` processes).
  HANGAR_WEB_WORKER: bool.default(true),
  // Deadlines of provider work (issue 7, finding 10): one HTTP attempt, one call with its
  // retries, one task step from its first start (job retries included).
  HANGAR_PROVIDER_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  HANGAR_PROVIDER_CALL_TIMEOUT_SECONDS: z.coerce.number().positive().default(60),
  HANGAR_STEP_TIMEOUT_SECONDS: z.coerce.number().positive().default(1800),
  // How long a create waits for the guest agent's IP before it completes with a warning (issue 9).
  HANGAR_AGENT_TIMEOUT_SECONDS: z.coerce.number().positive().default(300),
  // The support console (issue 12): a running step's heartbeat; a task without one for this long
  // is stuck (support may mark it failed); how long a failed create keeps what it made for a
  // retry; how long finished tasks keep their log lines (0: forever).
  HANGAR_STEP_HEARTBEAT_SECONDS: z.coerce.number().positive().default(5),
  HANGAR_STUCK_MINUTES: z.coerce.number().positive().default(5),
  HANGAR_RETRY_KEEP_MINUTES: z.coerce.number().min(0).default(60),
  HANGAR_TASK_LOG_RETENTION_DAYS: z.coerce.number().min(0).default(90),
  // Notifications by email (issue 12): both set to send; the URL carries the SMTP login.
  HANGAR_SMTP_URL: z
    .string()
    .url()
    .refine((u) => /^smtps?:\/\//i.test(u), "must be an smtp:// or smtps:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  HANGAR_SMTP_FROM: z.string().min(3).optional().or(z.literal("").transform(() => undefined)),
  HANGAR_SMTP_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/** Parsed lazily so that `next build` and unit tests never need a configured environment. */
export function env(): Env {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
      throw new Error(`Invalid environment:\n${lines.join("\n")}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Forget the parsed environment (the launcher changes process.env before anything reads it). */
export function resetEnvCache(): void {
  cached = undefined;
}

export function oidcConfigured(e: Env = env()): boolean {
  return Boolean(e.HANGAR_OIDC_ISSUER && e.HANGAR_OIDC_CLIENT_ID && e.HANGAR_OIDC_CLIENT_SECRET);
}

/** Whether notifications may be sent by email: an SMTP URL and a sender address are both set. */
export function smtpConfigured(e: Env = env()): boolean {
  return Boolean(e.HANGAR_SMTP_URL && e.HANGAR_SMTP_FROM);
}
