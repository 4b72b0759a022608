/** Options and shapes of the Nova Cloud simulator. Money is given as decimal strings. */

export type SimGpuType = {
  /** The opaque name offers carry and POST /vms sends back, e.g. "4090". */
  type: string;
  ramMb: number;
  /** On-demand price of one GPU-hour. */
  hourly: string;
  /** Interruptible price of one GPU-hour. */
  interruptibleHourly: string;
  cpuCoresPerGpu: number;
  ramGbPerGpu: number;
  cpuModel?: string;
  pcieGen?: string;
};

export type SimNode = { id: string; location: string; /** GPUs installed, by type */ gpus: Record<string, number> };
export type SimTemplate = { vmid: number; name: string };
export type SimUser = { email: string; password: string };

export type SimDurations = { creatingMs: number; startingMs: number; stoppingMs: number; /** destroyed → 404 */ purgeMs: number };

export type NovaSimulatorOptions = {
  gpuTypes?: SimGpuType[];
  nodes?: SimNode[];
  templates?: SimTemplate[];
  /** Price of one GB of storage per hour (default "0.0002"). */
  storageGbHourly?: string;
  /** Starting balance (default "100.00"). */
  balance?: string;
  currency?: string;
  apiKeys?: string[];
  users?: SimUser[];
  /** Access tokens live this long (default 1 h, as documented). */
  accessTokenTtlMs?: number;
  refreshTokenTtlMs?: number;
  durations?: Partial<SimDurations>;
  /** Logins allowed per minute and e-mail before 429 (documented: 5). */
  loginsPerMinute?: number;
  /** Discount per reservation term, percent (default 5/10/20). */
  reservationDiscountPercent?: Record<1 | 3 | 6, string>;
  host?: string;
  port?: number;
  /** HTTPS with this key and certificate (PEM); plain HTTP without. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** The time source (ms) before `advanceTime` offsets; a constant one makes billing exact in tests. Default Date.now. */
  clock?: () => number;
  /** Stop running VMs once the balance is used up (default false: Nova's behaviour is undocumented). */
  stopAtZeroBalance?: boolean;
  /** Serve /__simulator/* control endpoints (default true). */
  control?: boolean;
};

export type FailSpec = {
  status: number;
  /** `detail` of the error body: a string, or FastAPI-style list. */
  detail?: unknown;
  /** how many matching calls fail (default 1) */
  count?: number;
  method?: string;
  path?: string | RegExp;
  /** sets a Retry-After header (seconds) */
  retryAfterSeconds?: number;
  /** Handle the request first, then answer with the fault (an answer lost after the work was done). */
  afterHandling?: boolean;
};

export type DelaySpec = { ms: number; count?: number; method?: string; path?: string | RegExp };

export type SimRequestLogEntry = { method: string; path: string; status: number; authorization?: "api_key" | "jwt" | "none"; body?: unknown };
