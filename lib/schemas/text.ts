import { z } from "zod";

/**
 * Strings in every request (API bodies, server actions, forms, query strings) follow one rule:
 * a string is a JSON string (no coercion), at most `max` characters, and holds no NUL or other
 * control characters (tab, newline and carriage return only where `multiline`). A broken rule is a
 * 400 / form error that names the field and, for length, its limit: "name: at most 100
 * characters". Free of server-only imports (forms use these too).
 */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
export const CONTROL_CHARS_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export const noControlMessage = "must not contain control characters";

/** A string of at most `max` characters without control characters; `label` prefixes the messages when given. */
export function text(max: number, options: { multiline?: boolean; label?: string } = {}) {
  const prefix = options.label ? `${options.label} ` : "";
  const forbidden = options.multiline ? CONTROL_CHARS_BUT_WHITESPACE : CONTROL_CHARS;
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${prefix}is required` : `${prefix}must be a string`) })
    .max(max, `${prefix}at most ${max} characters`)
    .refine((s) => !forbidden.test(s), `${prefix}${noControlMessage}`);
}
