import { createHash } from "node:crypto";

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** PVE::Format::render_bytes */
export function renderBytes(value: number, precision = 2): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let unit = 0;
  let v = value;
  if (v > 1023) {
    unit = Math.floor(Math.log(v) / Math.log(1024));
    v /= 1024 ** unit;
  }
  return `${v.toFixed(precision)} ${units[unit]}`;
}

/** PVE::JSONSchema::parse_size ("32G", "512M", "10GiB") -> bytes */
export function parseSize(value: string): number | undefined {
  const m = /^(\d+(\.\d+)?)([KMGT](?:iB)?)?$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[3] ?? "").charAt(0);
  const mult = unit === "K" ? 1024 : unit === "M" ? MiB : unit === "G" ? GiB : unit === "T" ? 1024 * GiB : 1;
  return Math.floor(n * mult);
}

/** PVE::JSONSchema::format_size: the largest unit that divides the size exactly. */
export function formatSize(bytes: number): string {
  let size = Math.floor(bytes);
  const kb = Math.floor(size / 1024);
  if (kb * 1024 !== size) return String(size);
  const mb = Math.floor(kb / 1024);
  if (mb * 1024 !== kb) return `${kb}K`;
  const gb = Math.floor(mb / 1024);
  if (gb * 1024 !== mb) return `${mb}M`;
  const tb = Math.floor(gb / 1024);
  if (tb * 1024 !== gb) return `${gb}G`;
  size = tb;
  return `${size}T`;
}

export function sha1Hex(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/** A deterministic 32-bit hash (FNV-1a) for derived values (MACs, UUIDs, IPs). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Deterministic "random" MAC in the Proxmox OUI (BC:24:11), like PVE's random_ether_addr with mac_prefix. */
export function macFor(seed: string): string {
  const h = hash32(seed);
  const bytes = [0xbc, 0x24, 0x11, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(":");
}

export function uuidFor(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function hex8(n: number): string {
  return Math.floor(n).toString(16).toUpperCase().padStart(8, "0");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
