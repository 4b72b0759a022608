import { cn } from "@/components/ui/cn";

/** One quota dimension: used and reserved (requests in flight) against the limit, with what is left. */
export function QuotaMeter({ label, used, reserved, limit, unit, money = false }: { label: string; used: number; reserved: number; limit: number | null; unit: string; money?: boolean }) {
  const n = (x: number) => (money ? x.toFixed(2) : String(x));
  if (limit === null) {
    return (
      <div className="flex items-baseline justify-between text-sm">
        <span className="font-medium text-slate-800">{label}</span>
        <span className="text-slate-500">
          {n(used)} {unit} used{reserved ? ` · ${n(reserved)} reserved` : ""} · no limit
        </span>
      </div>
    );
  }
  const pct = (x: number) => (limit > 0 ? Math.min(100, (x / limit) * 100) : x > 0 ? 100 : 0);
  const left = Math.max(0, limit - used - reserved);
  const full = used + reserved >= limit;
  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span className="font-medium text-slate-800">{label}</span>
        <span className="text-slate-500">
          {n(used)} used · {n(reserved)} reserved · <span className="font-medium text-slate-700">{n(left)} left</span> of {n(limit)} {unit}
        </span>
      </div>
      <div className="mt-1.5 flex h-2 overflow-hidden rounded-full bg-slate-100" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used + reserved}>
        <div className={cn(full ? "bg-red-500" : "bg-indigo-500")} style={{ width: `${pct(used)}%` }} />
        <div className="bg-indigo-300" style={{ width: `${Math.min(100 - pct(used), pct(reserved))}%` }} />
      </div>
    </div>
  );
}
