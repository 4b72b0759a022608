import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSession } from "../auth/sessions";
import { log } from "../log";
import { apiRouteFiles, startApiFixture, type ApiFixture } from "../testing/api-fixture";

/**
 * Fuzz test (issue 7, "keep proving it"): every API route handler found on disk
 * (app/api/**\/route.ts) and every server action (app/**\/actions.ts) gets arbitrary JSON,
 * wrong types, huge and odd numbers, long strings, strings with NUL, lone surrogates and control
 * characters, bytes that are not UTF-8, broken path ids, cookies and tokens. Properties:
 * - never a 5xx (and nothing logged as our own fault: log.error is never called);
 * - an API answer is the envelope with code = status and carries x-request-id;
 * - a refusal (4xx, or a server action's {ok: false}) writes nothing: every table's row count is
 *   unchanged (a failed sign-in may count the attempt in the rate-limit tables).
 * The next-auth catch-all is the exception: it needs Next's request scope (next/headers from
 * inside next-auth), so it is exercised over HTTP by e2e/security-input.spec.ts.
 * Runs (FUZZ_RUNS, default 60) per route and method and per action; seed printed on failure.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const EXCLUDED_ROUTES = new Set(["/api/auth/[...nextauth]"]);

// Server actions run as if in Next: the signed-in admin's session cookie, no cache to revalidate.
const session = vi.hoisted(() => ({ cookie: "" }));
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "next-auth.session-token" && session.cookie ? { name, value: session.cookie } : undefined),
    getAll: () => (session.cookie ? [{ name: "next-auth.session-token", value: session.cookie }] : []),
  }),
  headers: async () => new Headers({ "x-hangar-client-ip": "127.0.0.1" }),
}));

let fx: ApiFixture;
const errors = vi.spyOn(log, "error");

beforeAll(async () => {
  fx = await startApiFixture();
  const { sid } = await createSession(fx.users.root);
  session.cookie = await encode({ token: { sid }, secret: process.env.NEXTAUTH_SECRET! });
}, 120_000);
afterAll(async () => fx?.stop());

// ── arbitraries ──────────────────────────────────────────────────────────────────────────────

const nasty = fc.constantFrom(
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfff",
  "\ufffd",
  "\u0007\u001b[2J",
  "%00",
  "%ff",
  "../../etc/passwd",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "0x400",
  "3.2e1",
  "NaN",
  "-1",
  "",
  " ",
  "ubuntu-24.04",
  "pve1",
);
const longString = fc.integer({ min: 200, max: 5000 }).map((n) => "a".repeat(n));
const anyString = fc.oneof(fc.string(), fc.string({ unit: "binary" }), nasty, longString);
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, 2, 1024, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 5e-324, 2.5, -1),
);
const scalar = fc.oneof(anyString, oddNumber, fc.boolean(), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }) },
);

/** The fields our endpoints and forms know, so that values reach the validation of each field. */
const FIELDS = [
  "template_id", "name", "target", "cpuCores", "memorySize", "diskSize", "storage", "ciuser", "cipassword", "ssh_key_id",
  "email", "password", "id", "userId", "teamId", "planId", "providerId", "userIds", "teamIds", "templates", "overrides",
  "publicKey", "expiresInDays", "kind", "url", "pveAuth", "tokenId", "secret", "currency", "vcpuHour", "gpuHour", "role",
] as const;
const knownFields = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 });
const json = fc.oneof(knownFields, fc.jsonValue({ maxDepth: 4 }), value);

/** A request body: JSON text of arbitrary values, broken JSON, bytes that are not UTF-8, or deep nesting. */
const body: fc.Arbitrary<BodyInit | undefined> = fc.oneof(
  { weight: 6, arbitrary: json.map((v) => JSON.stringify(v) ?? "null") },
  { weight: 1, arbitrary: fc.string().map((s) => `{"name":${s}`) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, ...b, 0xff, 0x22, 0x7d])) },
  { weight: 1, arbitrary: fc.integer({ min: 33, max: 5000 }).map((n) => "[".repeat(n) + "]".repeat(n)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const headerText = fc.string({ unit: "binary-ascii", maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, ""));
const cookie = fc.oneof(headerText, fc.constantFrom("theme=100%", "next-auth.session-token=%zz", "next-auth.session-token=eyJhbGciOi.x.y", "=;;=", "a=%E0%A4%A"));

type Auth = "ada" | "root" | "none" | "garbage";
const auth = fc.constantFrom<Auth>("ada", "root", "none", "garbage");

const pathId = fc.oneof(anyString, fc.constantFrom("__vm__", "__task__"));

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

const RATE_TABLES = /rate|login|attempt|lockout/i;

function changedTables(before: Record<string, number>, after: Record<string, number>, allowRateLimit: boolean): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t] && !(allowRateLimit && RATE_TABLES.test(t)));
}

function authHeaders(who: Auth): Record<string, string> {
  if (who === "ada") return { authorization: `Bearer ${fx.tokens.ada}` };
  if (who === "root") return { authorization: `Bearer ${fx.tokens.root}` };
  if (who === "garbage") return { authorization: "Bearer hgr_s_\u00ff not a token" };
  return {};
}

function actionFiles(dir = path.join(process.cwd(), "app")): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...actionFiles(full));
    else if (entry === "actions.ts") found.push(full);
  }
  return found.sort();
}

function isNextControlFlow(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK") || digest === "NEXT_NOT_FOUND");
}

// ── API routes ───────────────────────────────────────────────────────────────────────────────

const routes = apiRouteFiles().filter((r) => !EXCLUDED_ROUTES.has(r.pattern));
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

describe("fuzz: API routes", () => {
  it("finds the routes on disk", () => {
    expect(routes.map((r) => r.pattern)).toEqual(expect.arrayContaining(["/api/v1/auth/login", "/api/v1/vm/manage/createFromTemplate", "/api/v1/vms/[vmId]/resize"]));
  });

  for (const route of routes) {
    it(`${route.pattern}: never a 5xx, refusals write nothing`, async () => {
      errors.mockClear();
      const mod = (await import(/* @vite-ignore */ route.file)) as Record<string, unknown>;
      const methods = METHODS.filter((m) => typeof mod[m] === "function");
      expect(methods.length).toBeGreaterThan(0);
      for (const method of methods) {
        const handler = mod[method] as (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              params: fc.tuple(...route.params.map(() => pathId)),
              body,
              who: auth,
              cookie: fc.option(cookie, { nil: undefined }),
              query: fc.option(fc.oneof(headerText, fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String)), { nil: undefined }),
            }),
            async ({ params, body: payload, who, cookie: c, query }) => {
              const headers: Record<string, string> = { "content-type": "application/json", ...authHeaders(who) };
              if (c !== undefined) headers.cookie = c;
              const url = `http://hangar.test${route.pattern}${query !== undefined ? `?logs_after=${encodeURIComponent(query)}&x=${encodeURIComponent(query)}` : ""}`;
              const req = new NextRequest(url, { method, headers, ...(method === "GET" ? {} : { body: payload, duplex: "half" }) } as ConstructorParameters<typeof NextRequest>[1]);
              const routeParams = Object.fromEntries(route.params.map((name, i) => [name, params[i] === "__vm__" ? fx.vmId : params[i] === "__task__" ? fx.taskId : params[i]!]));
              const before = await fx.rowCounts();
              const res = await handler(req, { params: Promise.resolve(routeParams) });
              const text = await res.text();
              expect(res.status, `${method} ${route.pattern} answered ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
              if (route.pattern.startsWith("/api/v1/") && route.pattern !== "/api/v1/openapi.json") {
                const envelope = JSON.parse(text) as { code: number };
                expect(envelope.code).toBe(res.status);
                expect(res.headers.get("x-request-id")).toBeTruthy();
              }
              if (res.status >= 400) {
                const signInFailure = route.pattern === "/api/v1/auth/login" && (res.status === 401 || res.status === 429 || res.status === 403);
                expect(changedTables(before, await fx.rowCounts(), signInFailure), `${method} ${route.pattern} → ${res.status} wrote`).toEqual([]);
              }
            },
          ),
          { numRuns: RUNS },
        );
      }
      expect(errors).not.toHaveBeenCalled();
    }, 60_000);
  }
});

// ── server actions ───────────────────────────────────────────────────────────────────────────

const GENERIC_FAILURE = /something went wrong/i;

describe("fuzz: server actions (as an admin)", () => {
  const files = actionFiles();
  it("finds the action files on disk", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  for (const file of files) {
    const label = path.relative(process.cwd(), file);
    it(`${label}: every action refuses malformed input without a fault and without writing`, async () => {
      errors.mockClear();
      const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
      const actions = Object.entries(mod).filter(([, v]) => typeof v === "function") as [string, (...args: unknown[]) => Promise<unknown>][];
      expect(actions.length).toBeGreaterThan(0);
      for (const [name, action] of actions) {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.oneof(json, pathId.map((s) => (s === "__vm__" ? fx.vmId : s))), { minLength: 1, maxLength: 3 }), async (args) => {
            const before = await fx.rowCounts();
            let result: unknown;
            try {
              result = await action(...args);
            } catch (error) {
              if (isNextControlFlow(error)) return; // notFound() / redirect(): a 404 / 307, not a fault
              throw new Error(`${label} ${name} threw: ${error instanceof Error ? error.message : String(error)}`);
            }
            const r = result as { ok?: boolean; error?: string } | undefined;
            if (r && r.ok === false) {
              expect(r.error ?? "", `${name} answered a generic failure`).not.toMatch(GENERIC_FAILURE);
              expect(changedTables(before, await fx.rowCounts(), false), `${name} refused but wrote`).toEqual([]);
            }
          }),
          { numRuns: Math.max(10, Math.round(RUNS / 2)) },
        );
      }
      expect(errors).not.toHaveBeenCalled();
    }, 60_000);
  }
});
