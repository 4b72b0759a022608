/**
 * Every VergeOS wire fact this client relies on that is NOT settled by the documentation, in one
 * place (see /work/shared/PROVIDERS.md, "VergeOS (API v4)"; tags: doc, sdk, 3rd, unverified).
 * Settled facts (paths, field names, units, status codes) live next to the code that uses them;
 * each constant here says what we assume, why, and how the client stays tolerant if we are wrong.
 * Change a guess here and nowhere else.
 */

/** API prefix for tables (doc). The token endpoint is NOT under /v4 (doc api-guide). */
export const API_PREFIX = "/api/v4";
export const TOKEN_PATH = "/api/sys/tokens";
/** Session token header (doc api-guide). */
export const TOKEN_HEADER = "x-yottabyte-token";

/**
 * Keys in request bodies (`machine`, `vnet`, `cluster`, `media_source`, `vm`) are sent as JSON
 * strings: the documented request tables type them `string` ("numeric string"), the SDKs send
 * integers (sdk). Guess: the server accepts both; we follow the documented tables.
 */
export const KEYS_AS_JSON_STRINGS = true;

/**
 * In a `filter`, a numeric key is written bare (`machine eq 54`), as pyVergeOS does with its
 * integer keys; any other key is single-quoted like a string. Guess: quoting a numeric key
 * (`machine eq '54'`) might not match on the real server.
 */
export const NUMERIC_KEY_RE = /^\d+$/;

/**
 * Token logins answer 201 (doc) or 200 (3rd): any 2xx with a `$key` is accepted. The token's
 * lifetime is unknown (doc: "lapse after inactivity"): on a 401 the client logs in again once
 * and replays the request. No proactive renewal.
 */
export const TOKEN_RELOGIN_ON_401 = true;

/**
 * A create reply's `$key` is required (doc); if it is missing but `location` is present, the
 * key is the last path segment of `location` (`/v4/vms/42` -> "42"). Tolerance, unverified.
 */
export const KEY_FROM_LOCATION = true;

/**
 * `response.machine` on `POST /vms` is shown only in the 2025 posts (doc seed); the older guide
 * and every SDK re-read the VM (sdk). When absent, read `GET /vms/{key}?fields=$key,name,machine`.
 */
export const VM_READBACK_FIELDS = "$key,name,machine";

/**
 * For `import`/`clone` drives we also send `disksize` (bytes) and, when a tier is asked for,
 * `show_pt: true` (documented as "override the media source's default tier"). Whether the
 * server applies `disksize` to an imported image is unknown, so the flow reads the drive back and
 * grows it with `PUT /machine_drives/{key} {disksize}` when it is smaller.
 */
export const SEND_DISKSIZE_ON_IMPORT = true;
export const OVERRIDE_TIER_ON_IMPORT = true;

/**
 * Retries. pyVergeOS retries 429/500/502/503/504 three times with exponential backoff, POST too;
 * tsvergeos only 5xx (sdk). There are no idempotency keys (unverified), so this client repeats a
 * POST only when it cannot have been processed: 429, 503, or a connection that never came up.
 * GET/PUT/DELETE (idempotent here: PUT sends absolute values) are repeated on all of them.
 * The flow helpers look for what they made before making it again, covering the rest.
 */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
export const RETRY_STATUSES_UNPROCESSED: ReadonlySet<number> = new Set([429, 503]);
/** Honour `Retry-After` (seconds) on 429/503 up to this cap; no rate-limit headers are documented. */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * Idle keep-alive sockets are dropped by us after this long, before a server's idle timeout can
 * close them under a new request (the server's timeout is unknown).
 */
export const FREE_SOCKET_TIMEOUT_MS = 4_000;

/**
 * Power. `machine_status.status` values: up = `running:true` and `status:"running"` (sdk);
 * `error` = failed; anything else (incl. values we do not know) = still in progress. Stopped =
 * `running:false` and status `stopped` (or `running:false` with no status at all).
 */
export const STATUS_RUNNING = "running";
export const STATUS_STOPPED = "stopped";
export const STATUS_FAILED = "error";
/** Poll interval while waiting for a power state (govergeos polls every 5 s, 30 tries). */
export const DEFAULT_POLL_MS = 2_000;
export const DEFAULT_POWER_TIMEOUT_MS = 150_000;

/** The fields asked of `machine_status` (doc, sdk). */
export const MACHINE_STATUS_FIELDS = "$key,machine,status,status_info,state,running,powerstate,node,started,agent_guest_info";

/**
 * `agent_guest_info`'s shape is undocumented. Guess: any IPv4/IPv6 address strings found
 * anywhere inside it (loopback and link-local skipped) are the guest's addresses.
 */
export const AGENT_INFO_SCAN_DEPTH = 8;

/**
 * A row of `machine_devices` names its group in `resource_group`; whether that is the UUID (as
 * sent on create) or the group's numeric `$key` is unknown: both are compared.
 */
export const DEVICE_GROUP_MATCHES_UUID_OR_KEY = true;

/**
 * Free devices of a resource group = `count(resources)` of the group (pyVergeOS projects it as
 * `count(resources) as resource_count`) minus the `machine_devices` rows naming the group. Guess:
 * an attached device reserves one even while its VM is off (conservative).
 */
export const RESOURCE_GROUP_FIELDS = "$key,uuid,name,description,type,class,enabled,count(resources) as resource_count";

/**
 * Whether `DELETE /vms/{key}` refuses a running VM is unknown (unverified): the flow kills it and
 * waits for `running:false` first.
 */
export const KILL_BEFORE_DELETE = true;
