import { describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import { errorResponse, jsonProblem, MAX_JSON_BODY_BYTES, readJson } from "./respond";

vi.mock("../log", () => ({ log: { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() } }));

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://hangar.test/api/v1/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return { status: (error as AppError).status, message: (error as AppError).message };
}

describe("readJson: the API's body rules", () => {
  it("reads JSON, and an empty body as {}", async () => {
    await expect(readJson(post('{"a":[1,"x\\ty"]}'))).resolves.toEqual({ a: [1, "x\ty"] });
    await expect(readJson(post(""))).resolves.toEqual({});
  });

  it("stops reading a body over the limit and answers 413 (the 100 MB anonymous login body)", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 100 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    expect(await refusal(readJson(post(endless)))).toEqual({ status: 413, message: `Request body too large (limit ${MAX_JSON_BODY_BYTES} bytes)` });
    expect(pulled).toBeLessThan(1024 * 1024);
  });

  it("answers a declared Content-Length over the limit with 413 without reading", async () => {
    expect((await refusal(readJson(post("{}", { "content-length": String(100 * 1024 * 1024) })))).status).toBe(413);
  });

  it("refuses bodies that are not UTF-8, not JSON, or carry NUL / control characters, naming where", async () => {
    expect(await refusal(readJson(post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))))).toEqual({
      status: 400,
      message: "Request body must be UTF-8 encoded JSON",
    });
    expect((await refusal(readJson(post("{nope")))).message).toBe("Request body must be valid JSON");
    expect(await refusal(readJson(post('{"name":"web\\u0000"}')))).toEqual({ status: 400, message: "name: must not contain NUL or other control characters" });
    expect((await refusal(readJson(post('{"a":{"b":[0,"\\u0001"]}}')))).message).toBe("a.b[1]: must not contain NUL or other control characters");
    expect((await refusal(readJson(post('{"a\\u0000":1}')))).message).toBe("body: a key contains NUL or other control characters");
    expect((await refusal(readJson(post("[".repeat(10_000) + "]".repeat(10_000))))).message).toMatch(/nested too deeply/);
  });

  it("walks deep values without recursion", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonProblem(deep)).toMatch(/nested too deeply/);
  });
});

describe("errorResponse", () => {
  it("answers our own faults with a 500 that carries the request id", async () => {
    const res = errorResponse(new Error("boom"), "req-1");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: 500, message: "Internal server error (request id req-1)", data: { request_id: "req-1" } });
  });
});
