/**
 * The portal's one way of writing a time: date, time and zone ("30 Nov 2026, 21:05 UTC"), in
 * en-GB order so that every page reads the same; relative ("3 min ago") where recency matters,
 * with the exact form on hover (components/ui/time.tsx).
 */
const LOCALE = "en-GB";

/** Date, time to the minute (or second) and the zone's short name; `timeZone` undefined = the browser's. */
export function formatExact(date: Date, opts: { timeZone?: string; seconds?: boolean } = {}): string {
  return new Intl.DateTimeFormat(LOCALE, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    ...(opts.seconds ? { second: "2-digit" } : {}),
    hourCycle: "h23",
    timeZone: opts.timeZone,
    timeZoneName: "short",
  }).format(date);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "just now" under a minute, else "5 minutes ago" / "in 2 hours", in the largest whole unit. */
export function formatRelative(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  if (abs < 60_000) return "just now";
  const rtf = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });
  for (const [unit, ms] of UNITS) {
    if (abs >= ms) return rtf.format(Math.trunc(diff / ms), unit);
  }
  return "just now";
}
