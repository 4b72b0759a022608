import { z } from "zod";

/**
 * A connection setting that maps the portal's GPU types to the provider's own ids of the devices
 * (or device pools) of that type, e.g. VergeOS resource group UUIDs or PVE PCI resource mapping
 * ids: `{"4090": ["<id>", …]}` in the configuration file, and the same as JSON or as
 * `4090=<id>,<id>; 6000pro=<id>` in the admin form. Browser-safe.
 */

/** A portal GPU type id, e.g. `4090` (opaque: plans, prices and VMs name GPUs by it). */
export const gpuTypeId = z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a GPU type id like 4090");

/** The admin form's text (JSON or `type=id,id; type=id`) as the mapping object, or a string that fails the object schema. */
export function gpuMapText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return "not JSON";
    }
  }
  const out: Record<string, string[]> = {};
  for (const part of trimmed.split(/[;\n]/).map((p) => p.trim()).filter(Boolean)) {
    const [type, list] = part.split("=", 2);
    if (list === undefined) return `"${part}" is not type=id,id`;
    out[type!.trim()] = list.split(",").map((u) => u.trim()).filter(Boolean);
  }
  return out;
}

/**
 * The setting's schema: `id` checks one provider id; `what` names it in messages ("resource
 * group UUID"); `example` is one such id for the messages.
 */
export function gpuMapSetting(id: z.ZodType<string>, what: string, example: string) {
  return z.preprocess(
    (v) => (typeof v === "string" ? gpuMapText(v) : v),
    z.record(gpuTypeId, z.array(id).min(1, `name at least one ${what}`), {
      error: `must map GPU types to ${what}s, e.g. {"4090": ["${example}"]} or 4090=${example},${example}`,
    }),
  );
}
