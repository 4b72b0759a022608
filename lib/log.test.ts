import { Writable } from "node:stream";
import pino from "pino";
import { expect, it } from "vitest";
import { redactPaths } from "./log";

it("redacts secrets wherever they sit in a log line", () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const logger = pino({ redact: { paths: redactPaths, censor: "[redacted]" } }, sink);
  logger.info({ password: "p1", provider: { secret: "s1", credentials: "c1" }, req: { headers: { authorization: "Bearer t1", cookie: "k1" } }, body: { cipassword: "cp1" } }, "x");
  const out = lines.join("");
  for (const secret of ["p1", "s1", "c1", "Bearer t1", "k1", "cp1"]) expect(out).not.toContain(`"${secret}"`);
  expect(out).toContain("[redacted]");
});
