import type { PveParams } from "./form";

/**
 * VM configuration parameters the portal sets, shared by `PUT|POST .../config` and
 * `POST /nodes/{node}/qemu`. Values are given plainly; `vmParams` applies PVE's encodings.
 */
export type PveVmConfigParams = {
  cores?: number;
  sockets?: number;
  /** MiB. PVE 8+ declares `memory` as the property string `[current=]<MiB>`; a bare number is its default key. */
  memory?: number;
  name?: string;
  description?: string;
  /** A list, or a string already separated by `;`. */
  tags?: string | string[];
  ciuser?: string;
  cipassword?: string;
  /** OpenSSH public keys, one per line, as typed: the client percent-encodes them. */
  sshkeys?: string;
  agent?: string;
  /** QEMU machine type, e.g. `q35` (PCIe passthrough, `hostpciN: …,pcie=1`, needs it). */
  machine?: string;
  [key: `ipconfig${number}`]: string | undefined;
  /** Host PCI devices, e.g. `mapping=rtx4090,pcie=1` (a resource mapping of the cluster). */
  [key: `hostpci${number}`]: string | undefined;
  [key: `net${number}`]: string | undefined;
};

export type PveConfigUpdate = PveVmConfigParams & {
  /** Settings to remove, e.g. `["ide2"]`. */
  delete?: string | string[];
  /** Refuse the change if the config changed since this digest was read. */
  digest?: string;
};

export type PveCreateVmParams = PveVmConfigParams & {
  vmid: number;
  ostype?: string;
  scsihw?: string;
  boot?: string;
  cpu?: string;
  bios?: string;
  pool?: string;
  storage?: string;
  start?: boolean;
  onboot?: boolean;
  [key: `scsi${number}`]: string | undefined;
  [key: `virtio${number}`]: string | undefined;
  [key: `sata${number}`]: string | undefined;
  [key: `ide${number}`]: string | undefined;
  [key: `serial${number}`]: string | undefined;
};

/**
 * `sshkeys` is declared `format: urlencoded`: PVE URL-decodes it once more after the form
 * decoding, so it must be percent-encoded *before* going into the form body (which then
 * encodes the `%` again). encodeURIComponent leaves exactly the characters PVE's check allows
 * (`[-a-zA-Z0-9_.!~*'()]`) and turns `+` into `%2B`, which PVE's second decoding keeps as `+`.
 */
export function encodeSshKeys(keys: string): string {
  return encodeURIComponent(keys);
}

export function vmParams(input: PveConfigUpdate | PveCreateVmParams): PveParams {
  const out: PveParams = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    if (key === "sshkeys" && typeof value === "string") out[key] = encodeSshKeys(value);
    else if (key === "tags" && Array.isArray(value)) out[key] = value.join(";");
    else if (key === "delete" && Array.isArray(value)) out[key] = value.join(",");
    else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value;
    else throw new TypeError(`PVE parameter ${key} has an unsupported value`);
  }
  return out;
}
