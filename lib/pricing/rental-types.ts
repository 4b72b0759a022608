/**
 * Rental kinds and the plans' rental type names, and the conversions between them: free of
 * decimal.js and zod, so browser pages (the wizard) can use them without either (lib/pricing/rental.ts
 * re-exports them for everyone else).
 */
export const RENTAL_KINDS = ["on_demand", "reserved", "interruptible"] as const;
export type RentalKind = (typeof RENTAL_KINDS)[number];
export const RESERVATION_MONTHS = [1, 3, 6] as const;
export type ReservationMonths = (typeof RESERVATION_MONTHS)[number];

/** Plans name reservations with their term (`reserved_3m`); Nova and the API use type + months. */
export type PlanRentalType = "on_demand" | "reserved_1m" | "reserved_3m" | "reserved_6m" | "interruptible";

export function toPlanRentalType(choice: { rentalType: RentalKind; reservationMonths?: number }): PlanRentalType {
  if (choice.rentalType !== "reserved") return choice.rentalType;
  if (!(RESERVATION_MONTHS as readonly number[]).includes(choice.reservationMonths ?? 0)) throw new TypeError("a reserved rental needs reservationMonths 1, 3 or 6");
  return `reserved_${choice.reservationMonths as ReservationMonths}m`;
}

export function fromPlanRentalType(type: PlanRentalType): { rentalType: RentalKind; reservationMonths?: ReservationMonths } {
  const reserved = /^reserved_([136])m$/.exec(type);
  if (reserved) return { rentalType: "reserved", reservationMonths: Number(reserved[1]) as ReservationMonths };
  if (type === "on_demand" || type === "interruptible") return { rentalType: type };
  throw new TypeError(`unknown rental type ${JSON.stringify(type)}`);
}

