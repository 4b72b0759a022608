import Decimal from "decimal.js";
import { NovaError } from "./errors";
import { OFFER_FIELDS, OFFER_PRICE_IS_PER_GPU, PRICING_FIELDS, SSH_KEY_TEXT_FIELDS, unwrapList, unwrapObject } from "./protocol-guesses";
import type { NovaBalance, NovaOffer, NovaPricing, NovaReservationQuote, NovaSshKey, NovaVm } from "./types";

/**
 * Tolerant readers of Nova's replies: documented fields by their names, guessed ones through the
 * alias lists of protocol-guesses.ts; wrong types are skipped, never trusted. Money becomes a
 * decimal string (JSON numbers print in their shortest exact form, e.g. 0.35 → "0.35").
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

export function int(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

/** A money amount as a plain decimal string ("$1,234.50" and "1234.5" both read as "1234.50"/"1234.5"). */
export function money(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) {
    const text = String(value);
    // Exponent forms (1e-7) are valid decimal.js input; keep them.
    return text;
  }
  if (typeof value === "string") {
    const cleaned = value.trim().replace(/^\$/, "").replace(/,/g, "");
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cleaned)) return cleaned;
  }
  return undefined;
}

export function str(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim() !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function bool(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === "true") return true;
  if (value === false || value === 0 || value === "false") return false;
  return undefined;
}

function pick(obj: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (obj[key] !== undefined && obj[key] !== null) return obj[key];
  return undefined;
}

export function unexpected(what: string, data: unknown): NovaError {
  const shown = JSON.stringify(data) ?? String(data);
  return new NovaError("server", `Unexpected Nova Cloud response to ${what}: ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}`);
}

/** A per-offer price as a per-GPU price (only if the guess says offers are priced per offer). */
function perGpu(total: string | undefined, count: number | undefined): string | undefined {
  if (total === undefined || OFFER_PRICE_IS_PER_GPU || !count) return total;
  return new Decimal(total).div(count).toString();
}

/** One offer, or undefined when it has no usable gpu_type. */
export function parseOffer(value: unknown): NovaOffer | undefined {
  if (!isRecord(value)) return undefined;
  const gpuType = str(pick(value, OFFER_FIELDS.gpuType));
  if (!gpuType) return undefined;
  const gpuCount = int(pick(value, OFFER_FIELDS.gpuCount));
  const ramMb = num(pick(value, OFFER_FIELDS.gpuRamMb));
  const ramGb = num(pick(value, OFFER_FIELDS.gpuRamGb));
  const availableRaw = pick(value, OFFER_FIELDS.available);
  const availableCount = typeof availableRaw === "boolean" ? (availableRaw ? undefined : 0) : int(availableRaw);
  const available = typeof availableRaw === "boolean" ? availableRaw : availableCount === undefined ? true : availableCount > 0;
  return {
    gpuType: gpuType.trim(),
    gpuCount,
    gpuRamMb: ramMb ?? (ramGb === undefined ? undefined : ramGb * 1024),
    gpuHourly: perGpu(money(pick(value, OFFER_FIELDS.gpuHourly)), gpuCount),
    interruptibleHourly: perGpu(money(pick(value, OFFER_FIELDS.interruptibleHourly)), gpuCount),
    availableCount: availableCount === undefined ? undefined : Math.max(0, availableCount),
    available,
    location: str(pick(value, OFFER_FIELDS.location)),
    node: str(pick(value, OFFER_FIELDS.node)),
    cpuCores: int(pick(value, OFFER_FIELDS.cpuCores)),
    cpuCoresPerGpu: int(pick(value, OFFER_FIELDS.cpuCoresPerGpu)),
    ramGb: num(pick(value, OFFER_FIELDS.ramGb)),
    ramGbPerGpu: num(pick(value, OFFER_FIELDS.ramGbPerGpu)),
    storageGbHourly: money(pick(value, OFFER_FIELDS.storageGbHourly)),
    raw: value,
  };
}

/** `GET /search`: an array (or a wrapped one) of offers; unreadable entries are dropped. */
export function parseOffers(value: unknown): NovaOffer[] {
  const list = unwrapList(value);
  if (!list) throw unexpected("GET /search", value);
  return list.flatMap((item) => {
    const offer = parseOffer(item);
    return offer ? [offer] : [];
  });
}

/** `GET /pricing`: `{gpus: {type: price | {on_demand, interruptible}}, ...}`; unknown keys kept in `raw`. */
export function parsePricing(value: unknown): NovaPricing {
  if (!isRecord(value)) throw unexpected("GET /pricing", value);
  const gpus: Record<string, string> = {};
  const interruptibleGpus: Record<string, string> = {};
  const table = pick(value, PRICING_FIELDS.gpus);
  if (isRecord(table)) {
    for (const [type, price] of Object.entries(table)) {
      const flat = money(price);
      if (flat !== undefined) gpus[type] = flat;
      else if (isRecord(price)) {
        const onDemand = money(pick(price, PRICING_FIELDS.gpuObjectHourly));
        const interruptible = money(pick(price, PRICING_FIELDS.gpuObjectInterruptible));
        if (onDemand !== undefined) gpus[type] = onDemand;
        if (interruptible !== undefined) interruptibleGpus[type] = interruptible;
      }
    }
  } else if (Array.isArray(table)) {
    for (const item of table) {
      const offer = parseOffer(item);
      if (offer?.gpuHourly !== undefined) gpus[offer.gpuType] = offer.gpuHourly;
      if (offer?.interruptibleHourly !== undefined) interruptibleGpus[offer.gpuType] = offer.interruptibleHourly;
    }
  }
  const interruptible = pick(value, PRICING_FIELDS.interruptible);
  if (isRecord(interruptible)) {
    for (const [type, price] of Object.entries(interruptible)) {
      const flat = money(price);
      if (flat !== undefined) interruptibleGpus[type] ??= flat;
    }
  }
  let storageGbHourly = money(pick(value, PRICING_FIELDS.storageGbHourly));
  const storageMonthly = money(pick(value, PRICING_FIELDS.storageGbMonthly));
  const storage = value.storage;
  if (storageGbHourly === undefined && isRecord(storage)) storageGbHourly = money(pick(storage, ["per_gb_hour", "gb_hour", "hourly_per_gb", "hourly"]));
  return {
    gpus,
    interruptibleGpus,
    storageGbHourly,
    ...(storageGbHourly === undefined && storageMonthly !== undefined ? { storageGbMonthly: storageMonthly } : {}),
    currency: str(pick(value, PRICING_FIELDS.currency)),
    raw: value,
  };
}

const nullableStr = (v: unknown): string | null => str(v) ?? null;

/** The VM object; `id` (uuid) and `status` are required, everything else tolerated. */
export function parseVm(wire: unknown, what = "the VM object"): NovaVm {
  const value = unwrapObject(wire);
  if (!isRecord(value)) throw unexpected(what, wire);
  const id = str(value.id);
  const status = str(value.status);
  if (!id || !status) throw unexpected(what, wire);
  return {
    id,
    vmid: int(value.vmid),
    userId: int(value.user_id),
    node: str(value.node),
    instanceLabel: nullableStr(value.instance_label),
    gpuType: str(value.gpu_type),
    gpuCount: int(value.gpu_count),
    storageGb: num(value.storage_gb),
    ramGb: num(value.ram_gb),
    cpuCores: int(value.cpu_cores),
    ipAddress: nullableStr(value.ip_address),
    status: status.trim().toLowerCase(),
    createdAt: str(value.created_at),
    startedAt: nullableStr(value.started_at),
    stoppedAt: nullableStr(value.stopped_at),
    rentalType: str(value.rental_type),
    reservationId: nullableStr(value.reservation_id),
    autoRestart: bool(value.auto_restart) ?? null,
    hourlyRate: money(value.hourly_rate) ?? null,
    gpuHourlyRate: money(value.gpu_hourly_rate) ?? null,
    storageHourlyRate: money(value.storage_hourly_rate) ?? null,
    cpuModel: nullableStr(value.cpu_model),
    pcieGen: nullableStr(value.pcie_gen),
  };
}

export function parseVmList(value: unknown): NovaVm[] {
  const list = unwrapList(value);
  if (!list) throw unexpected("GET /vms", value);
  return list.flatMap((item) => {
    try {
      return [parseVm(item, "GET /vms")];
    } catch {
      return [];
    }
  });
}

export function parseSshKey(wire: unknown, what: string): NovaSshKey {
  const value = unwrapObject(wire);
  if (!isRecord(value)) throw unexpected(what, wire);
  const id = str(value.id);
  if (!id) throw unexpected(what, wire);
  const publicKey = str(pick(value, SSH_KEY_TEXT_FIELDS));
  return { id, label: str(value.label), keyType: str(value.key_type), fingerprint: str(value.fingerprint), createdAt: str(value.created_at), ...(publicKey ? { publicKey } : {}) };
}

export function parseSshKeyList(value: unknown): NovaSshKey[] {
  const list = unwrapList(value);
  if (!list) throw unexpected("GET /ssh-keys", value);
  return list.flatMap((item) => {
    try {
      return [parseSshKey(item, "GET /ssh-keys")];
    } catch {
      return [];
    }
  });
}

export function parseReservationQuote(value: unknown): NovaReservationQuote {
  if (!isRecord(value)) throw unexpected("POST /reservations/calculate", value);
  const discountPercent = money(value.discount_percent);
  const depositRequired = money(value.deposit_required);
  const monthlyCost = money(value.monthly_cost);
  const hourlyRateAfterDiscount = money(value.hourly_rate_after_discount);
  const cancellationFee = money(value.cancellation_fee_25_percent ?? value.cancellation_fee);
  if (discountPercent === undefined || depositRequired === undefined || monthlyCost === undefined || hourlyRateAfterDiscount === undefined || cancellationFee === undefined) {
    throw unexpected("POST /reservations/calculate", value);
  }
  return { discountPercent, depositRequired, monthlyCost, hourlyRateAfterDiscount, cancellationFee };
}

export function parseBalance(value: unknown): NovaBalance {
  if (!isRecord(value)) throw unexpected("GET /billing/balance", value);
  const balance = money(value.balance);
  if (balance === undefined) throw unexpected("GET /billing/balance", value);
  return { balance, currency: str(value.currency) ?? "USD" };
}
