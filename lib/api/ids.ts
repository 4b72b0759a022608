const NOT_IN_IDS = /[\u0000-\u001f\u007f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Longest id any route or page accepts in its path. */
export const MAX_ID_LENGTH = 200;

/**
 * Whether a path segment can be one of our ids (cuid, task id, name): a non-empty string of at
 * most MAX_ID_LENGTH characters without control characters (NUL…), U+FFFD (what broken
 * percent-encoding decodes to) or unpaired surrogates. Anything else cannot name a row, and
 * must not reach the database (PostgreSQL refuses NUL in text with an error).
 */
export function isPlausibleId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH && !NOT_IN_IDS.test(value);
}
