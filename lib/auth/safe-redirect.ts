/**
 * Where to send someone after signing in: only a path on this portal, never another origin.
 *
 * `safeRedirectPath(value)` returns a same-origin relative path (`/vms?x=1#y`, dot segments
 * resolved) or `fallback` ("/" unless given) for anything else. Refused: absolute URLs
 * (`https://…`, `javascript:…`, `data:…`), protocol-relative and backslash forms (`//host`,
 * `/\host`, `\\host`), paths that only become one of those after percent-decoding or after
 * resolving dot segments (`/.//host`, `/%2e//host`, `/%2f%2fhost`, `/%5Chost`, doubly encoded
 * variants), control characters (tabs and newlines, which browsers strip, and NUL), malformed
 * percent-encoding, and values longer than 2048 characters. Pure; no errors thrown.
 */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  if (!plausible(value)) return fallback;
  // Every decoding a browser, a proxy or a later redirect might apply must stay a plain path.
  let decoded = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return fallback;
    }
    if (!plausible(next)) return fallback;
    if (next === decoded) break;
    decoded = next;
  }
  const resolved = resolvePath(value);
  if (!resolved) return fallback;
  // The resolved form of the decoded value must not leave the origin either (`/%2e//host`).
  if (!resolvePath(decoded.replace(/[?#].*$/s, ""))) return fallback;
  return resolved;
}

/**
 * next-auth's `redirect` callback: `url` may be relative or absolute; only this portal's own
 * origin (`baseUrl`) is allowed. Returns an absolute URL on `baseUrl`, `baseUrl` + "/" otherwise.
 */
export function safeAuthRedirect(url: string, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  let candidate: unknown = url;
  if (typeof url === "string" && !url.startsWith("/")) {
    try {
      const absolute = new URL(url);
      const origin = new URL(base).origin;
      candidate = absolute.origin === origin && !hasUnsafeChars(url) ? url.slice(origin.length) || "/" : undefined;
    } catch {
      candidate = undefined;
    }
  }
  return `${base}${safeRedirectPath(candidate)}`;
}

const MAX_LENGTH = 2048;
const PROBE_ORIGIN = "http://hangar.invalid";

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function hasUnsafeChars(s: string): boolean {
  return CONTROL.test(s) || s.includes("\\");
}

/** A string that is, on its face, a rooted path: "/x", not "//x", "/\x", "\x", "x:", or with control characters. */
function plausible(s: string): boolean {
  if (hasUnsafeChars(s)) return false;
  if (!s.startsWith("/") || s.startsWith("//")) return false;
  return true;
}

/** The path as a browser would resolve it against this origin, or null when it would leave it. */
function resolvePath(s: string): string | null {
  let url: URL;
  try {
    url = new URL(s, PROBE_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PROBE_ORIGIN || url.username || url.password) return null;
  if (!url.pathname.startsWith("/") || url.pathname.startsWith("//")) return null;
  return url.pathname + url.search + url.hash;
}
