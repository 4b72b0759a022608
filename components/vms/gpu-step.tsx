"use client";

import { Alert } from "@/components/ui/alert";
import { cn } from "@/components/ui/cn";
import { RENTAL_TYPE_LABELS, type RentalType } from "@/lib/schemas/catalog";
import type { OfferView } from "@/lib/vms/template-offers";
import type { GpuQuoteView } from "@/lib/vms/quote-gpu";
import { formatMemory } from "@/lib/ui/units";

/** One aggregate quota the order must fit, as the wizard passes it (limits: Infinity = none). */
export type GpuScope = { label: string; gpusUsed: number; gpusLimit: number; spendUsed: number; spendLimit: number };

/** The largest GPU count the plan (per VM and what is left) and the offer (free now) allow. */
export function gpuCountLimit(offer: OfferView, perVmGpus: number, scopes: GpuScope[]): number {
  return Math.min(perVmGpus, offer.available, ...scopes.map((s) => Math.max(0, s.gpusLimit - s.gpusUsed)));
}

function Bar({ label, used, adding, limit, unit }: { label: string; used: number; adding: number; limit: number; unit: string }) {
  const pct = (n: number) => (limit > 0 ? Math.min(100, (n / limit) * 100) : 100);
  const over = used + adding > limit + 1e-9;
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
  return (
    <div>
      <div className="flex justify-between text-xs text-slate-600">
        <span className="font-medium text-slate-800">{label}</span>
        <span>
          used {f(used)} · adding <span className={over ? "font-semibold text-red-600" : "font-semibold text-indigo-700"}>{f(adding)}</span> · left {f(Math.max(0, limit - used - adding))} of {f(limit)} {unit}
        </span>
      </div>
      <div className="mt-1 flex h-2 overflow-hidden rounded-full bg-slate-100" aria-hidden>
        <div className="bg-slate-400" style={{ width: `${pct(used)}%` }} />
        <div className={over ? "bg-red-500" : "bg-indigo-500"} style={{ width: `${Math.max(0, Math.min(100 - pct(used), pct(adding)))}%` }} />
      </div>
    </div>
  );
}

/** The price of the chosen order before commit (hourly, monthly; reserved: discount, deposit, monthly cost, cancellation fee; interruptible: saving and the warning). */
export function GpuPrice({ quote, currency }: { quote: GpuQuoteView; currency: string }) {
  const c = quote.currency || currency;
  const rows: [string, string][] = [
    ["GPU per hour", `${quote.hourly.gpu} ${c}`],
    ["Storage per hour", `${quote.hourly.storage} ${c}`],
    ["Total per hour", `${quote.hourly.total} ${c}`],
    [quote.reserved ? "Monthly cost" : "Monthly estimate (730 h)", `${quote.monthly} ${c}`],
  ];
  if (quote.reserved) {
    rows.push(
      ["Discount", `${quote.reserved.discountPercent} %`],
      ["Deposit (due now)", `${quote.reserved.deposit} ${c}`],
      ["Cancellation fee", `${quote.reserved.cancellationFee} ${c}`],
      [`Total for ${quote.reserved.months} month${quote.reserved.months > 1 ? "s" : ""}`, `${quote.reserved.termCost} ${c}`],
    );
  }
  if (quote.interruptible) {
    rows.push(["Saving per hour", `${quote.interruptible.savingHourly} ${c} (${quote.interruptible.savingPercent} %)`], ["Saving per month", `${quote.interruptible.savingMonthly} ${c}`]);
  }
  return (
    <div className="space-y-3" data-testid="gpu-price">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="text-right font-medium text-slate-900" data-testid={`price-${k.toLowerCase().replace(/[^a-z]+/g, "-")}`}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
      {quote.reserved?.source === "rules" ? <p className="text-xs text-slate-500">Reservation prices are an estimate from the documented rules: the provider could not quote them now.</p> : null}
      {quote.interruptible ? (
        <Alert tone="warning" title="Interruptible">
          {quote.interruptible.warning}
        </Alert>
      ) : null}
    </div>
  );
}

/**
 * The wizard's GPU step: GPU type cards (memory, price per hour, free now), the count (limited by
 * the plan, the offer and what is free), the rental type with its price before commit, and quota
 * bars for GPUs and spend. Presentational: the wizard owns the values and the quote.
 */
export function GpuStep(props: {
  offers: OfferView[];
  sizesFromOffers: boolean;
  allowedGpuTypes: string[];
  allowedRentalTypes: string[];
  perVmGpus: number;
  scopes: GpuScope[];
  currency: string;
  value: { gpuType: string; gpuCount: number; rental: string; autoRestart: boolean };
  onChange: (value: { gpuType: string; gpuCount: number; rental: string; autoRestart: boolean }) => void;
  quote: GpuQuoteView | null;
  quoteError: string | null;
  /** Kinds where a GPU is optional (sizes are free): a "No GPU" choice first (gpuType ""). */
  allowNone?: boolean;
}) {
  const { offers, value, onChange, scopes } = props;
  const offer = offers.find((o) => o.gpuType === value.gpuType) ?? null;
  const typeAllowed = (t: string) => props.allowedGpuTypes.length === 0 || props.allowedGpuTypes.includes(t);
  const rentalAllowed = (r: string) => props.allowedRentalTypes.length === 0 || props.allowedRentalTypes.includes(r);
  const max = offer ? gpuCountLimit(offer, props.perVmGpus, scopes) : 0;
  const spend = props.quote ? Number(props.quote.commitment) : 0;
  if (offers.length === 0) return <Alert tone="error">The provider could not list its GPU offers just now. Try again in a moment.</Alert>;
  return (
    <div className="grid gap-8 lg:grid-cols-2">
      <div className="space-y-5">
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-800">GPU type</legend>
          <div className="grid gap-3 sm:grid-cols-2">
            {props.allowNone ? (
              <button
                type="button"
                aria-pressed={value.gpuType === ""}
                data-testid="gpu-card-none"
                onClick={() => onChange({ ...value, gpuType: "", rental: "on_demand", autoRestart: false })}
                className={cn("flex flex-col rounded-lg border bg-white p-3 text-left text-sm shadow-xs", value.gpuType === "" ? "border-indigo-600 ring-2 ring-indigo-600" : "border-slate-200 hover:border-slate-300")}
              >
                <span className="font-semibold text-slate-900">No GPU</span>
                <span className="text-xs text-slate-600">CPU only</span>
              </button>
            ) : null}
            {offers.map((o) => {
              const why = !typeAllowed(o.gpuType) ? "Not in your plan" : o.available === 0 ? "None free now" : null;
              return (
                <button
                  key={o.gpuType}
                  type="button"
                  disabled={why !== null}
                  aria-pressed={o.gpuType === value.gpuType}
                  data-testid={`gpu-card-${o.gpuType}`}
                  onClick={() => onChange({ ...value, gpuType: o.gpuType })}
                  className={cn(
                    "flex flex-col rounded-lg border bg-white p-3 text-left text-sm shadow-xs",
                    o.gpuType === value.gpuType ? "border-indigo-600 ring-2 ring-indigo-600" : "border-slate-200 hover:border-slate-300",
                    why && "cursor-not-allowed opacity-50",
                  )}
                >
                  <span className="font-semibold text-slate-900">{o.label}</span>
                  <span className="text-xs text-slate-600">{o.memoryGb ? `${o.memoryGb} GB GPU memory` : "GPU memory not stated"}</span>
                  <span className="text-xs text-slate-600">
                    {o.rates.gpuHourly} {o.rates.currency ?? props.currency} per GPU-hour
                  </span>
                  {o.cpuCores && o.memorySize ? <span className="text-xs text-slate-600">{`${o.cpuCores} vCPU · ${formatMemory(o.memorySize)} memory per GPU`}</span> : null}
                  <span className={cn("mt-1 text-xs font-medium", o.available ? "text-emerald-700" : "text-red-600")}>{why ?? `${o.available} free now`}</span>
                </button>
              );
            })}
          </div>
        </fieldset>
        {offer ? (
          <>
            <label className="block text-sm">
              <span className="font-medium text-slate-800">How many GPUs</span>
              <select
                id="gpuCount"
                className="mt-1 block w-full rounded-md border-0 bg-white px-3 py-2 text-sm shadow-xs ring-1 ring-inset ring-slate-300"
                value={value.gpuCount}
                onChange={(e) => onChange({ ...value, gpuCount: Number(e.target.value) })}
              >
                {offer.gpuCount.map((c) => (
                  <option key={c} value={c} disabled={c > max}>
                    {c}
                    {c > max ? (c > offer.available ? " (not free now)" : " (over your plan)") : ""}
                  </option>
                ))}
              </select>
              <span className="mt-1 block text-xs text-slate-500">
                Up to {max}: your plan allows {props.perVmGpus} per VM; {offer.available} free now.
              </span>
            </label>
            {props.sizesFromOffers && offer.cpuCores && offer.memorySize ? (
              <p className="text-sm text-slate-700" data-testid="offer-size">
                Comes with {offer.cpuCores * value.gpuCount} vCPU and {formatMemory(offer.memorySize * value.gpuCount)} of memory.
              </p>
            ) : null}
            <fieldset className="space-y-1">
              <legend className="mb-1 text-sm font-medium text-slate-800">Rental type</legend>
              {offer.rentalTypes.map((r) => (
                <label key={r} className={cn("flex items-center gap-2 text-sm", !rentalAllowed(r) && "opacity-50")}>
                  <input type="radio" name="rental" value={r} checked={value.rental === r} disabled={!rentalAllowed(r)} onChange={() => onChange({ ...value, rental: r, autoRestart: r === "interruptible" ? value.autoRestart : false })} />
                  {RENTAL_TYPE_LABELS[r as RentalType] ?? r}
                  {!rentalAllowed(r) ? " (not in your plan)" : ""}
                </label>
              ))}
            </fieldset>
            {value.rental === "interruptible" ? (
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={value.autoRestart} onChange={(e) => onChange({ ...value, autoRestart: e.target.checked })} /> Start it again when a GPU is free after an interruption
              </label>
            ) : null}
          </>
        ) : props.allowNone ? null : (
          <p className="text-sm text-slate-600">Choose a GPU type.</p>
        )}
      </div>
      <div className="space-y-5">
        {props.quoteError ? <Alert tone="error">{props.quoteError}</Alert> : props.quote ? <GpuPrice quote={props.quote} currency={props.currency} /> : offer ? <p className="text-sm text-slate-500">Pricing…</p> : null}
        {scopes.map((s) => (
          <div key={s.label} className="space-y-3">
            <h3 className="text-sm font-semibold text-slate-900">{s.label}</h3>
            <Bar label="GPUs" unit="GPUs" used={s.gpusUsed} adding={offer ? value.gpuCount : 0} limit={s.gpusLimit} />
            {Number.isFinite(s.spendLimit) ? <Bar label="Monthly spend" unit={props.currency} used={s.spendUsed} adding={spend} limit={s.spendLimit} /> : null}
          </div>
        ))}
      </div>
    </div>
  );
}
