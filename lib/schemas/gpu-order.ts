import { z } from "zod";
import { parseRentalChoice, rentalChoiceSchema, toPlanRentalType, type PlanRentalType, type RentalChoice } from "../pricing/rental";
import { text } from "./text";
import { positiveInt } from "./vm";

/**
 * The GPU and rental fields of a create request (`POST /api/v1/vm/manage/createFromTemplate` and
 * the wizard), all optional: `gpuType` (an opaque GPU type id from the template's offers, e.g.
 * "4090"), `gpuCount` (default 1 with a `gpuType`), `rentalType` (on_demand | reserved |
 * interruptible), `reservationMonths` (1 | 3 | 6, exactly when reserved), `autoRestart`
 * (interruptible only). Each bad combination is one clear message. Browser-safe.
 */
export const GPU_TYPE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const gpuTypeId = (label = "gpuType") => text(64, { label }).trim().regex(GPU_TYPE_ID, `${label} must be a GPU type id such as "4090" (letters, digits, _ -)`);

const gpuFieldsSchema = z.object({
  gpuType: gpuTypeId().optional(),
  gpuCount: positiveInt("gpuCount").max(64, "gpuCount is too large").optional(),
});

/** The parsed order: no `gpu` for a machine without GPUs (then the rental is on demand). */
export type GpuOrder = { gpu: { type: string; count: number } | null; rental: RentalChoice; planRentalType: PlanRentalType };

/** What went wrong with the GPU and rental fields, as one message per problem (joined with "; "), or the order. */
export function parseGpuOrder(raw: Record<string, unknown>): { ok: true; order: GpuOrder } | { ok: false; message: string } {
  const fields = gpuFieldsSchema.safeParse({ gpuType: raw.gpuType, gpuCount: raw.gpuCount });
  const rental = rentalChoiceSchema.safeParse({ rentalType: raw.rentalType, reservationMonths: raw.reservationMonths, autoRestart: raw.autoRestart });
  const problems: string[] = [];
  if (!fields.success) problems.push(...fields.error.issues.map((i) => i.message));
  if (!rental.success) problems.push(...rental.error.issues.map((i) => i.message));
  if (problems.length) return { ok: false, message: problems.join("; ") };
  const { gpuType, gpuCount } = fields.data!;
  if (gpuCount !== undefined && gpuType === undefined) return { ok: false, message: "gpuCount needs gpuType (the GPU type to rent)" };
  const choice = parseRentalChoice(rental.data);
  if (gpuType === undefined && choice.rentalType !== "on_demand") return { ok: false, message: `rentalType ${choice.rentalType} applies only to GPU machines: give gpuType` };
  return { ok: true, order: { gpu: gpuType === undefined ? null : { type: gpuType, count: gpuCount ?? 1 }, rental: choice, planRentalType: toPlanRentalType(choice) } };
}

/** The GPU and rental fields as the API documents them (OpenAPI); `parseGpuOrder` is what checks them. */
export const gpuOrderDocFields = {
  gpuType: z.string().optional().describe("A GPU type id from the template's offers (GET /api/v1/templates), e.g. \"4090\""),
  gpuCount: z.number().int().optional().describe("How many GPUs (one of the offer's counts); default 1 with gpuType"),
  rentalType: z.enum(["on_demand", "reserved", "interruptible"]).optional().describe("Default on_demand; other types need gpuType"),
  reservationMonths: z.union([z.literal(1), z.literal(3), z.literal(6)]).optional().describe("Required exactly when rentalType is reserved"),
  autoRestart: z.boolean().optional().describe("Interruptible only: start the VM again when its offer is free"),
};
