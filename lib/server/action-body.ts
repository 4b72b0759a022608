/**
 * Server action arguments as Next receives them: React's reply format, decoded by Next before
 * the action runs. What Next cannot decode it answers with a 500 (and a stack trace in the log),
 * for anyone, signed in or not; so the front door (lib/server/http.ts) checks the body first and
 * answers a 400 instead. What React's client (`encodeReply`) sends passes unchanged:
 *
 * - `text/plain` (the usual case): UTF-8 JSON, an array (the arguments), nested at most
 *   MAX_ACTION_DEPTH levels; a string that starts with `$` is one of the encodings that stand
 *   alone (`$$…` an escaped dollar, `$undefined`, `$NaN`, `$Infinity`, `$-Infinity`, `$-0`,
 *   `$D<date>`, `$n<bigint>`): every other `$` form refers to another part, and a plain body has none;
 * - `multipart/form-data`: a boundary, well-framed parts, a root part named "0" that holds the
 *   arguments as above, and every other part named by a number (an outlined value) valid JSON
 *   within the depth (references between parts are left to React); form fields and files are
 *   not looked at.
 */
export const MAX_ACTION_DEPTH = 32;

const STANDALONE = /^\$(\$|undefined$|NaN$|Infinity$|-Infinity$|-0$|D|n-?\d+$)/;

/** Why the action body cannot be decoded ("…: problem"), or null when it can. Pure. */
export function actionBodyProblem(contentType: string | undefined, body: Buffer): string | null {
  const type = (contentType ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data")) return multipartProblem(contentType ?? "", body);
  const text = utf8(body);
  if (text === null) return "server action arguments must be UTF-8";
  return modelProblem(text, { root: true, references: false });
}

function utf8(body: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

function modelProblem(text: string, { root, references }: { root: boolean; references: boolean }): string | null {
  if (!text.trim()) return "server action request without arguments";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "server action arguments must be JSON";
  }
  if (root && !Array.isArray(value)) return "server action arguments must be a list";
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item.value === "string") {
      if (!references && item.value.startsWith("$") && !STANDALONE.test(item.value)) return "server action arguments refer to a part that is not there";
      continue;
    }
    if (item.value === null || typeof item.value !== "object") continue;
    if (item.depth >= MAX_ACTION_DEPTH) return `server action arguments nested too deeply (limit ${MAX_ACTION_DEPTH} levels)`;
    for (const child of Object.values(item.value)) stack.push({ value: child, depth: item.depth + 1 });
  }
  return null;
}

function multipartProblem(contentType: string, body: Buffer): string | null {
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) return "server action form without a boundary";
  // latin1 keeps every byte as one character, so files of any content split cleanly.
  const text = body.toString("latin1");
  const delimiter = `--${mark}`;
  const pieces = text.split(delimiter);
  if (pieces.length < 3 || !pieces[pieces.length - 1]!.startsWith("--")) return "server action form is not well framed";
  let root = false;
  for (const piece of pieces.slice(1, -1)) {
    if (!piece.startsWith("\r\n") || !piece.endsWith("\r\n")) return "server action form is not well framed";
    const split = piece.indexOf("\r\n\r\n", 2);
    if (split === -1) return "server action form part without headers";
    const head = piece.slice(2, split);
    const content = piece.slice(split + 4, -2);
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(head)?.[1] ?? "";
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return "server action form part without a name";
    if (/;\s*filename=/i.test(disposition) || !/^\d+$/.test(name)) continue;
    const json = utf8(Buffer.from(content, "latin1"));
    if (json === null) return "server action arguments must be UTF-8";
    const problem = modelProblem(json, { root: name === "0", references: true });
    if (problem) return problem;
    if (name === "0") root = true;
  }
  return root ? null : "server action form without its arguments";
}
