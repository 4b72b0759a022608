/**
 * What every server action answers (browser-safe): the data, or a message safe to show, with
 * the fields it concerns (`fieldErrors`, by form path) and further reasons (`details`, e.g. each
 * denied quota dimension). Built by lib/api/action-result.ts `actionResult`.
 */
export type ActionResult<T = undefined> = { ok: true; data: T } | ActionFailure;
export type ActionFailure = { ok: false; error: string; fieldErrors?: Record<string, string>; details?: string[] };
