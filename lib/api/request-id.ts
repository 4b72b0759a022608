/** The header the front door (lib/server/http.ts) sets on every request and answer. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * The request id of the page render or server action running now (from Next's request headers),
 * or undefined outside a request (worker, CLI, tests). For log lines of our own faults, and the
 * reference a person can quote to support.
 */
export async function currentRequestId(): Promise<string | undefined> {
  try {
    const { headers } = await import("next/headers");
    return (await headers()).get(REQUEST_ID_HEADER) ?? undefined;
  } catch {
    return undefined;
  }
}

/** "Something went wrong…" with the request id to quote, when there is one. */
export function withReference(message: string, requestId: string | undefined): string {
  return requestId ? `${message} (reference ${requestId})` : message;
}
