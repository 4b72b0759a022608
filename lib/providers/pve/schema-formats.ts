import { isIPv4, isIPv6 } from "node:net";
import type { PveProp } from "./schema-types";

/**
 * PVE's named string formats (`format: "pve-node"` etc.), ported from the verifiers registered
 * in pve-common (PVE::JSONSchema), pve-access-control, pve-storage and qemu-server. Only the
 * formats a VM portal sends are ported; the validator accepts any other name, as an unknown
 * format says nothing about whether a value is wrong.
 */
type Verifier = (value: string) => string | null;

const matches = (re: RegExp, message: string): Verifier => (value) => (re.test(value) ? null : message);

const ipv4: Verifier = (v) => (isIPv4(v) ? null : "value does not look like a valid IPv4 address");
// PVE's IPv6 regex has no zone ids (`%eth0`); node's isIPv6 accepts them.
const ipv6: Verifier = (v) => (isIPv6(v) && !v.includes("%") ? null : "value does not look like a valid IPv6 address");

function cidr(v: string, family: 4 | 6): boolean {
  const slash = v.lastIndexOf("/");
  if (slash < 0) return false;
  const [addr, bits] = [v.slice(0, slash), v.slice(slash + 1)];
  if (!/^\d+$/.test(bits)) return false;
  const n = Number(bits);
  // pve_verify_cidrv4/6: prefix must be > 7 and <= 32 / 128.
  return family === 4 ? ipv4(addr) === null && n > 7 && n <= 32 : ipv6(addr) === null && n > 7 && n <= 128;
}

const STORAGE_ID_RE = /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i;

const storageId: Verifier = (v) => {
  // PVE::JSONSchema::parse_id
  if (v.length < 2) return `storage ID '${v}' cannot be shorter than 2 characters`;
  return STORAGE_ID_RE.test(v) ? null : `storage ID '${v}' contains illegal characters`;
};

// pve-storage: PVE::Storage::parse_volume_id (`STORAGE:VOLNAME`, also `STORAGE:SIZE` when allocating).
const volumeId: Verifier = (v) => {
  const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/is.exec(v);
  return m ? null : `unable to parse volume ID '${v}'`;
};

const DNS_LABEL = "([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)";

const VERIFIERS: Record<string, Verifier> = {
  string: () => null,
  // The server URL-decodes these values once more, so the raw value must already be
  // percent-encoded: exactly the characters encodeURIComponent leaves alone, plus '%'.
  urlencoded: (v) => (/^[-%a-zA-Z0-9_.!~*'()]*$/.test(v) ? null : `invalid urlencoded string: ${v}`),
  "pve-configid": matches(/^[a-z][a-z0-9_-]+$/i, "invalid configuration ID"),
  "pve-storage-id": storageId,
  "pve-bridge-id": matches(/^[-_.\w]+$/, "invalid bridge ID"),
  "pve-vmid": matches(/^[1-9][0-9]{2,8}$/, "value does not look like a valid VM ID"),
  "pve-node": matches(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/, "value does not look like a valid node name"),
  "dns-name": matches(new RegExp(`^(${DNS_LABEL}\\.)*${DNS_LABEL}$`), "value does not look like a valid DNS name"),
  "mac-addr": matches(/^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i, "value does not look like a valid unicast MAC address"),
  ipv4,
  ipv6,
  ip: (v) => (ipv4(v) === null || ipv6(v) === null ? null : "value does not look like a valid IP address"),
  CIDRv4: (v) => (cidr(v, 4) ? null : "value does not look like a valid IPv4 CIDR network"),
  CIDRv6: (v) => (cidr(v, 6) ? null : "value does not look like a valid IPv6 CIDR network"),
  CIDR: (v) => (cidr(v, 4) || cidr(v, 6) ? null : "value does not look like a valid CIDR network"),
  "pve-ipv4-config": (v) => (/^(?:dhcp|manual)$/.test(v) || cidr(v, 4) ? null : "value does not look like a valid ipv4 network configuration"),
  "pve-ipv6-config": (v) => (/^(?:auto|dhcp|manual)$/.test(v) || cidr(v, 6) ? null : "value does not look like a valid ipv6 network configuration"),
  // parse_size: a plain size, no sign (the resize endpoint uses its own `pattern` for `+10G`).
  "disk-size": matches(/^(\d+(\.\d+)?)([KMGT](?:iB)?)?$/, "value does not look like a valid disk size"),
  "pve-tag": matches(/^[a-z0-9_][a-z0-9_\-+.]*$/i, "invalid characters in tag"),
  "pve-poolid": matches(/^[A-Za-z0-9.\-_]+$/, "pool name contains invalid characters"),
  "pve-realm": matches(/^[A-Za-z][A-Za-z0-9.\-_]+$/, "value does not look like a valid realm"),
  "pve-userid": matches(/^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$/, "value does not look like a valid user ID"),
  "pve-volume-id": volumeId,
  "pve-volume-id-or-absolute-path": (v) => (v.startsWith("/") ? null : volumeId(v)),
  "pve-volume-id-or-qm-path": (v) => (v === "none" || v === "cdrom" || v.startsWith("/") ? null : volumeId(v)),
};

/** Named formats that are themselves property strings (registered with a hash in PVE). */
export const HASH_FORMATS: Record<string, Record<string, PveProp>> = {
  // qemu-server: cloud-init `ipconfig[n]`.
  "pve-qm-ipconfig": {
    ip: { type: "string", format: "pve-ipv4-config", optional: 1 },
    gw: { type: "string", format: "ipv4", optional: 1, requires: "ip" },
    ip6: { type: "string", format: "pve-ipv6-config", optional: 1 },
    gw6: { type: "string", format: "ipv6", optional: 1, requires: "ip6" },
  },
};

/** PVE::ParseUtils::split_list: NUL-separated, else split on ',', ';' and whitespace. */
export function splitList(text: string): string[] {
  if (text.includes("\0")) return text.split("\0");
  return text.replace(/[,;]/g, " ").trim().split(/\s+/).filter((s) => s !== "");
}

export type NamedFormat =
  | { kind: "verifier"; verify: Verifier; list: "none" | "list" | "opt" }
  | { kind: "hash"; format: Record<string, PveProp> }
  | { kind: "unknown" };

/** Resolves `name`, `name-list` (split_list, every element checked) and `name-opt` (empty allowed). */
export function resolveNamedFormat(name: string): NamedFormat {
  const hash = HASH_FORMATS[name];
  if (hash) return { kind: "hash", format: hash };
  const direct = VERIFIERS[name];
  if (direct) return { kind: "verifier", verify: direct, list: "none" };
  const m = /^(.*?)-(list|opt)$/.exec(name);
  const base = m?.[1] !== undefined ? VERIFIERS[m[1]] : undefined;
  if (m && base) return { kind: "verifier", verify: base, list: m[2] === "list" ? "list" : "opt" };
  return { kind: "unknown" };
}

const regexCache = new Map<string, RegExp | null>();

/**
 * Turns a Perl pattern from the schema into a JS RegExp anchored the way PVE applies it
 * (`$value =~ m/^$pattern$/`: a full match). Perl-only syntax is rewritten: `(?^:` / `(?^i:`
 * groups (case-insensitivity is then applied to the whole pattern, a slight widening, as JS
 * on Node 20 has no inline modifiers) and `{,n}` quantifiers. Returns null when a pattern
 * cannot be expressed, so callers skip it instead of crashing.
 */
export function perlPatternToRegExp(pattern: string): RegExp | null {
  const cached = regexCache.get(pattern);
  if (cached !== undefined) return cached;
  const insensitive = /\(\?\^?[a-z]*i[a-z]*:/.test(pattern);
  const source = pattern
    .replace(/\(\?\^?[a-z]*:/g, "(?:")
    .replace(/\{,(\d+)\}/g, "{0,$1}");
  let re: RegExp | null;
  try {
    re = new RegExp(`^(?:${source})$`, insensitive ? "i" : "");
  } catch {
    re = null;
  }
  regexCache.set(pattern, re);
  return re;
}
