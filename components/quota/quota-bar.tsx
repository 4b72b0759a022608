/**
 * One dimension of an aggregate quota as a request would change it: used, what the request adds
 * (red when it no longer fits) and what is left, in the unit shown (memory already in GiB).
 */
export function QuotaBar({ label, unit, used, adding, limit }: { label: string; unit: string; used: number; adding: number; limit: number }) {
  const pct = (n: number) => (limit > 0 ? Math.min(100, (n / limit) * 100) : 100);
  const over = used + adding > limit;
  const left = Math.max(0, limit - used - adding);
  const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
  return (
    <div>
      <div className="flex flex-wrap justify-between gap-x-3 text-xs text-slate-600">
        <span className="font-medium text-slate-800">{label}</span>
        <span>
          used {n(used)} · {adding < 0 ? "freeing" : "adding"} <span className={over ? "font-semibold text-red-700" : "font-semibold text-indigo-700"}>{n(Math.abs(adding))}</span> · left {n(left)} of {n(limit)} {unit}
        </span>
      </div>
      <div className="mt-1 flex h-2 overflow-hidden rounded-full bg-slate-100" aria-hidden>
        <div className="bg-slate-500" style={{ width: `${pct(used)}%` }} />
        <div className={over ? "bg-red-500" : "bg-indigo-500"} style={{ width: `${Math.max(0, Math.min(100 - pct(used), pct(Math.max(0, adding))))}%` }} />
      </div>
    </div>
  );
}
