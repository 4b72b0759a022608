/**
 * PVE task ids ("UPID"s). Every asynchronous PVE call answers with one, and the node inside it
 * is the node that runs the task: that is where its status and log must be polled, which is not
 * necessarily the node the request was sent to (e.g. a clone with `target`).
 *
 * Layout (PVE::Tools::upid_encode):
 *   UPID:{node}:{pid 8 hex}:{pstart 8-9 hex}:{starttime 8 hex}:{type}:{id}:{user}:
 */
export type Upid = {
  node: string;
  pid: number;
  /** Process start time in clock ticks since boot; PVE prints it with 8 or 9 hex digits. */
  pstart: number;
  starttime: Date;
  type: string;
  /** The object the task works on, usually a VMID; may be empty. */
  id: string;
  /** `user@realm` or, for API tokens, `user@realm!tokenid`. */
  user: string;
};

// Mirrors PVE::Tools::upid_decode: node is a node name, type and user are non-empty, id may be
// empty, none of the free-text parts may contain ':' or whitespace.
const UPID_RE =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

export class UpidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpidError";
  }
}

export function parseUpid(text: string): Upid {
  const m = UPID_RE.exec(text);
  if (!m) throw new UpidError(`not a PVE task id (UPID): ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`);
  const group = (i: number): string => m[i] ?? "";
  return {
    node: group(1),
    pid: Number.parseInt(group(2), 16),
    pstart: Number.parseInt(group(3), 16),
    starttime: new Date(Number.parseInt(group(4), 16) * 1000),
    type: group(5),
    id: group(6),
    user: group(7),
  };
}

export function isUpid(text: unknown): text is string {
  return typeof text === "string" && UPID_RE.test(text);
}

function hex(value: number, what: string, maxDigits: number): string {
  if (!Number.isInteger(value) || value < 0 || value >= 16 ** maxDigits) throw new UpidError(`UPID ${what} out of range: ${value}`);
  return value.toString(16).toUpperCase().padStart(8, "0");
}

export function formatUpid(upid: Upid): string {
  const seconds = Math.floor(upid.starttime.getTime() / 1000);
  const text = `UPID:${upid.node}:${hex(upid.pid, "pid", 8)}:${hex(upid.pstart, "pstart", 9)}:${hex(seconds, "starttime", 8)}:${upid.type}:${upid.id}:${upid.user}:`;
  // Round-trip through the parser so a bad node/type/user can never produce an id PVE would reject.
  if (!UPID_RE.test(text)) throw new UpidError(`cannot format UPID from ${JSON.stringify(upid)}`);
  return text;
}
