/**
 * EVERY unverified fact about the Nova Cloud API lives in this file (see PROVIDERS.md, Nova
 * section, and README.md here). The rest of lib/providers/nova/ follows the documented protocol
 * and asks this module whenever the docs are silent. When a guess is confirmed or refuted,
 * change it here (and its test), nowhere else.
 */

/** Start/stop/restart/delete are undocumented: REST-style guesses (PROVIDERS.md "Unknown"). */
export const VM_ACTION_ROUTES = {
  start: { method: "POST", path: (id: string) => `/vms/${id}/start` },
  stop: { method: "POST", path: (id: string) => `/vms/${id}/stop` },
  restart: { method: "POST", path: (id: string) => `/vms/${id}/restart` },
  delete: { method: "DELETE", path: (id: string) => `/vms/${id}` },
} as const;

/** `GET /ssh-keys` (list) and `DELETE /ssh-keys/{id}` are undocumented; only POST and GET by id are. */
export const SSH_KEY_LIST_PATH = "/ssh-keys";
export const sshKeyDeletePath = (id: string) => `/ssh-keys/${id}`;

/**
 * Lists (`GET /vms`, `GET /ssh-keys`, `GET /search`) may be a bare array or an object wrapping
 * one; these keys are tried in order (PROVIDERS.md: "bare array or wrapped object unknown").
 */
export const LIST_WRAPPER_KEYS = ["items", "data", "results", "vms", "ssh_keys", "keys", "offers"] as const;

export function unwrapList(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === "object" && value !== null) {
    for (const key of LIST_WRAPPER_KEYS) {
      const inner = (value as Record<string, unknown>)[key];
      if (Array.isArray(inner)) return inner;
    }
  }
  return undefined;
}

/** A single object (the VM of `POST /vms`) may come wrapped: these keys are tried when `id` is missing. */
export const OBJECT_WRAPPER_KEYS = ["vm", "data", "item", "result"] as const;

export function unwrapObject(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value) || "id" in value) return value;
  for (const key of OBJECT_WRAPPER_KEYS) {
    const inner = (value as Record<string, unknown>)[key];
    if (typeof inner === "object" && inner !== null && !Array.isArray(inner)) return inner;
  }
  return value;
}

/**
 * The SSH key list's entries may carry the key text (field names guessed) and an MD5 fingerprint
 * instead of SHA256: keys are matched by any of these.
 */
export const SSH_KEY_TEXT_FIELDS = ["ssh_public_key", "public_key", "key"] as const;

/**
 * Login/refresh replies: only `access_token` (valid 1 hour) is documented. The refresh token's
 * field name and the lifetime fields are guesses; without a lifetime the JWT's `exp` claim is
 * read, and without that the documented hour is assumed.
 */
export const TOKEN_REPLY_FIELDS = {
  access: ["access_token", "token"],
  refresh: ["refresh_token"],
  /** seconds */
  expiresIn: ["expires_in"],
} as const;
export const DOCUMENTED_ACCESS_TOKEN_TTL_MS = 60 * 60_000;
/** Renew this long before the token's end, so a request never carries a token that lapses in flight. */
export const TOKEN_RENEW_MARGIN_MS = 60_000;

/**
 * Offer fields of `GET /search`: the documented-by-a-third-party names first, then plausible
 * aliases. `gpu_price_hourly` is taken as the price of ONE GPU-hour (guess).
 */
export const OFFER_FIELDS = {
  gpuType: ["gpu_type", "gpu", "gpu_model", "type"],
  gpuCount: ["gpu_count", "num_gpus", "count"],
  gpuRamMb: ["gpu_ram_mb"],
  gpuRamGb: ["gpu_ram_gb", "gpu_memory_gb", "vram_gb"],
  gpuHourly: ["gpu_price_hourly", "price_per_gpu_hour", "hourly_rate", "price_hourly", "price"],
  interruptibleHourly: ["interruptible_rate", "interruptible_price_hourly", "interruptible_hourly_rate"],
  available: ["available", "available_count", "free", "available_gpus"],
  location: ["location", "region", "datacenter"],
  node: ["node", "node_id", "host"],
  cpuCores: ["cpu_cores", "vcpus", "cpus"],
  cpuCoresPerGpu: ["cpu_cores_per_gpu", "vcpus_per_gpu"],
  ramGb: ["ram_gb", "memory_gb"],
  ramGbPerGpu: ["ram_gb_per_gpu", "memory_gb_per_gpu"],
  storageGbHourly: ["storage_price_hourly", "storage_gb_hour", "storage_hourly_per_gb"],
} as const;
export const OFFER_PRICE_IS_PER_GPU = true;

/**
 * `GET /pricing`: `gpus: {"<type>": <price per GPU-hour>}` (third party). A value may also be an
 * object; these keys are read from it. The storage price and interruptible prices are guesses.
 */
export const PRICING_FIELDS = {
  gpus: ["gpus", "gpu_prices", "gpu"],
  gpuObjectHourly: ["on_demand", "hourly", "price", "price_hourly", "gpu_price_hourly"],
  gpuObjectInterruptible: ["interruptible", "interruptible_rate", "interruptible_hourly"],
  interruptible: ["interruptible", "interruptible_gpus", "interruptible_rates"],
  storageGbHourly: ["storage_gb_hour", "storage_per_gb_hour", "storage_price_hourly", "storage_hourly_per_gb"],
  storageGbMonthly: ["storage_gb_month", "storage_per_gb_month"],
  currency: ["currency"],
} as const;

/** `GET /search` query parameters are unknown: none are sent; offers are filtered locally. */
export const SEARCH_SENDS_PARAMS = false;

/** `GET /billing/usage` date parameter names (unverified). */
export const USAGE_PARAMS = { start: "start_date", end: "end_date" } as const;

/**
 * Business refusals (balance, no free GPU, key limit) have undocumented status codes, so they are
 * recognised by their words. The balance wording is documented; the others are guesses.
 */
export const INSUFFICIENT_BALANCE_RE = /^\s*Insufficient balance\b/i;
export const SOLD_OUT_RE = /\b(no (available|free) gpus?|not enough (available |free )?gpus?|gpus? (are |is )?(not available|unavailable|sold out)|sold out|no capacity|insufficient (gpu )?capacity)\b/i;
export const SSH_KEY_LIMIT_RE = /\b(maximum|limit|at most|max)\b.*\bssh keys?\b|\bssh keys?\b.*\b(limit|maximum)\b/i;
export const ALREADY_EXISTS_RE = /\balready (exists|registered|uploaded)\b|\bduplicate\b/i;

/**
 * VM statuses (documented names; meanings partly guessed):
 * - `interrupted`: preempted (interruptible rentals); GPU charges stop, storage continues.
 * - `offline`: unexplained; treated as transient (the node is unreachable) for a grace period.
 * - after destroy, `GET /vms/{id}` may answer 404 or `status: "destroyed"`: both mean gone.
 */
export const OFFLINE_IS_TRANSIENT = true;
export const OFFLINE_GRACE_MS = 120_000;

/**
 * Fallback reservation rules when `POST /reservations/calculate` is not reachable. Documented:
 * "up to 20 % off" for 1/3/6 months, an upfront deposit, and a field named
 * `cancellation_fee_25_percent`. Guessed: the discount per term, the deposit being one month's
 * cost, and the fee being 25 % of the whole term's cost.
 */
export const RESERVATION_RULES_GUESS = {
  discountPercent: { 1: "5", 3: "10", 6: "20" } as Record<1 | 3 | 6, string>,
  depositMonths: "1",
  cancellationFeePercent: "25",
} as const;

/** Documented "typically 50-80 % cheaper": without an interruptible rate, assume the least saving. */
export const INTERRUPTIBLE_DISCOUNT_PERCENT_GUESS = "50";

/** Whether a VM stays billed for storage while `interrupted` (documented: yes) and `stopped` (documented: yes). */
export const STORAGE_BILLED_WHILE_STOPPED = true;

/**
 * A GPU type's name for people: offers may carry one (field names guessed); else a bare model
 * number ("4090") reads as "RTX 4090" and anything else is shown as Nova spells it. The type
 * itself stays opaque: only the label is derived.
 */
export const OFFER_LABEL_FIELDS = ["gpu_name", "gpu_label", "display_name", "name"] as const;
export function gpuLabelGuess(gpuType: string, raw?: Record<string, unknown>): string {
  for (const key of OFFER_LABEL_FIELDS) {
    const value = raw?.[key];
    if (typeof value === "string" && value.trim() && value.trim() !== gpuType) return value.trim();
  }
  if (/^\d{4}$/.test(gpuType)) return `RTX ${gpuType}`;
  const pro = /^(\d{4})\s*pro$|^pro\s*(\d{4})$/i.exec(gpuType);
  if (pro) return `RTX PRO ${pro[1] ?? pro[2]}`;
  return gpuType;
}

/**
 * Nova has no template list endpoint: the templates of its docs (introduction page), for the
 * admin console's discovery. Ids change between doc versions (an older page used 110), so
 * Hangar's templates name theirs in configuration (`"nova": {"templateVmid": 102}`).
 */
export const DOCUMENTED_TEMPLATES: readonly { vmid: number; name: string; os: string }[] = [
  { vmid: 100, name: "Ubuntu 22.04 + NVIDIA drivers", os: "Ubuntu 22.04" },
  { vmid: 101, name: "Ubuntu 24.04 + NVIDIA drivers", os: "Ubuntu 24.04" },
  { vmid: 102, name: "Stable Diffusion (AUTOMATIC1111)", os: "Ubuntu" },
  { vmid: 103, name: "ComfyUI", os: "Ubuntu" },
  { vmid: 104, name: "Linux Desktop", os: "Ubuntu" },
];
