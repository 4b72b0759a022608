import { z } from "zod";

/**
 * Nova Cloud's wire vocabulary (documented: docs.nova-cloud.ai api-reference, see PROVIDERS.md)
 * and the client's parsed shapes. Money arrives as JSON numbers; the parsers keep it as decimal
 * strings (e.g. "0.35") so that no arithmetic ever happens on binary floats.
 */

export const NOVA_RENTAL_TYPES = ["on_demand", "reserved", "interruptible"] as const;
export type NovaRentalType = (typeof NOVA_RENTAL_TYPES)[number];
export const NOVA_GPU_COUNTS = [1, 2, 4, 8] as const;
export const NOVA_RESERVATION_MONTHS = [1, 3, 6] as const;
export type NovaReservationMonths = (typeof NOVA_RESERVATION_MONTHS)[number];
export const NOVA_AUTH_METHODS = ["ssh_key", "password"] as const;
export const NOVA_MIN_STORAGE_GB = 50;
export const NOVA_MIN_PASSWORD_LENGTH = 12;
export const NOVA_MAX_SSH_KEYS = 5;
export const NOVA_MAX_SSH_KEY_CHARS = 16_000;
export const NOVA_MAX_SSH_KEY_LABEL = 100;

/** Documented VM statuses; others may appear and are kept as strings. */
export const NOVA_VM_STATUSES = ["creating", "starting", "running", "stopping", "stopped", "interrupted", "destroyed", "failed", "offline"] as const;
export type NovaVmStatus = (typeof NOVA_VM_STATUSES)[number];

const oneOf = <T extends readonly (string | number)[]>(values: T, what: string) => (value: unknown) =>
  values.includes(value as T[number]) ? undefined : `${what} must be one of ${values.join(", ")}`;

/**
 * `POST /vms` body, checked before it is sent (every documented rule, each with its own message).
 * Only documented fields; integers as JSON numbers.
 */
export const novaCreateVmSchema = z
  .object({
    node: z.string().trim().min(1, "node is required (e.g. vm01)").max(100),
    gpu_type: z.string().trim().min(1, "gpu_type is required (copy it from an offer of GET /search)").max(100),
    gpu_count: z.number().int("gpu_count must be a whole number"),
    storage_gb: z.number().int("storage_gb must be a whole number of GB").min(NOVA_MIN_STORAGE_GB, `storage_gb must be at least ${NOVA_MIN_STORAGE_GB}`),
    template_vmid: z.number().int("template_vmid must be a whole number").positive("template_vmid must be positive"),
    rental_type: z.enum(NOVA_RENTAL_TYPES, { error: `rental_type must be one of ${NOVA_RENTAL_TYPES.join(", ")}` }).default("on_demand"),
    reservation_months: z.number().optional(),
    auth_method: z.enum(NOVA_AUTH_METHODS, { error: "auth_method must be ssh_key or password" }).default("ssh_key"),
    ssh_key_id: z.string().trim().min(1).max(100).optional(),
    password: z.string().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const countProblem = oneOf(NOVA_GPU_COUNTS, "gpu_count")(v.gpu_count);
    if (countProblem) ctx.addIssue({ code: "custom", path: ["gpu_count"], message: countProblem });
    if (v.rental_type === "reserved") {
      if (v.reservation_months === undefined) ctx.addIssue({ code: "custom", path: ["reservation_months"], message: "reservation_months (1, 3 or 6) is required for a reserved rental" });
      else {
        const monthsProblem = oneOf(NOVA_RESERVATION_MONTHS, "reservation_months")(v.reservation_months);
        if (monthsProblem) ctx.addIssue({ code: "custom", path: ["reservation_months"], message: monthsProblem });
      }
    } else if (v.reservation_months !== undefined) {
      ctx.addIssue({ code: "custom", path: ["reservation_months"], message: "reservation_months applies only to a reserved rental" });
    }
    if (v.auth_method === "password") {
      if (!v.password) ctx.addIssue({ code: "custom", path: ["password"], message: "password is required when auth_method is password" });
      else if (v.password.length < NOVA_MIN_PASSWORD_LENGTH) ctx.addIssue({ code: "custom", path: ["password"], message: `password must be at least ${NOVA_MIN_PASSWORD_LENGTH} characters` });
      if (v.ssh_key_id !== undefined) ctx.addIssue({ code: "custom", path: ["ssh_key_id"], message: "ssh_key_id applies only when auth_method is ssh_key" });
    } else if (v.password !== undefined) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "password applies only when auth_method is password" });
    }
  });
export type NovaCreateVmInput = z.input<typeof novaCreateVmSchema>;
export type NovaCreateVmBody = z.output<typeof novaCreateVmSchema>;

/** The VM object of `POST /vms` and `GET /vms/{id}`, read tolerantly. Rates are decimal strings. */
export type NovaVm = {
  id: string;
  vmid?: number;
  userId?: number;
  node?: string;
  instanceLabel: string | null;
  gpuType?: string;
  gpuCount?: number;
  storageGb?: number;
  ramGb?: number;
  cpuCores?: number;
  ipAddress: string | null;
  /** one of NOVA_VM_STATUSES, or whatever Nova says */
  status: string;
  createdAt?: string;
  startedAt: string | null;
  stoppedAt: string | null;
  rentalType?: string;
  reservationId: string | null;
  autoRestart: boolean | null;
  hourlyRate: string | null;
  gpuHourlyRate: string | null;
  storageHourlyRate: string | null;
  cpuModel: string | null;
  pcieGen: string | null;
};

/** One offer of `GET /search`, read tolerantly. `gpuType` is opaque: copy it into POST /vms. */
export type NovaOffer = {
  gpuType: string;
  gpuCount?: number;
  gpuRamMb?: number;
  /** Price of one GPU-hour, on demand (decimal string). */
  gpuHourly?: string;
  /** Price of one GPU-hour, interruptible (decimal string). */
  interruptibleHourly?: string;
  /** How many GPUs are free now (a boolean `available` gives 0 or undefined). */
  availableCount?: number;
  available: boolean;
  location?: string;
  node?: string;
  cpuCores?: number;
  cpuCoresPerGpu?: number;
  ramGb?: number;
  ramGbPerGpu?: number;
  storageGbHourly?: string;
  /** The offer as received, for fields this client does not know. */
  raw: Record<string, unknown>;
};

/** `GET /pricing`, read tolerantly: per-GPU-hour prices by GPU type (decimal strings). */
export type NovaPricing = {
  gpus: Record<string, string>;
  interruptibleGpus: Record<string, string>;
  storageGbHourly?: string;
  /** Only when no hourly storage price was found. */
  storageGbMonthly?: string;
  currency?: string;
  raw: Record<string, unknown>;
};

export type NovaSshKey = { id: string; label?: string; keyType?: string; fingerprint?: string; createdAt?: string; /** only if the list sends the key text (undocumented) */ publicKey?: string };

export type NovaReservationQuote = {
  discountPercent: string;
  depositRequired: string;
  monthlyCost: string;
  hourlyRateAfterDiscount: string;
  cancellationFee: string;
};

export type NovaBalance = { balance: string; currency: string };
