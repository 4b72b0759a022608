"use client";

import { useSyncExternalStore } from "react";
import { formatExact, formatRelative } from "@/lib/ui/time";

/**
 * The zone to write times in: "UTC" on the server and in the first client render (so hydration
 * matches), then the browser's own (undefined).
 */
export function useDisplayZone(): string | undefined {
  return useSyncExternalStore(noSubscription, () => undefined, () => "UTC");
}

const noSubscription = () => () => {};
const TICK_MS = 30_000;
/** A clock that changes every 30 s (a stable number between ticks, as useSyncExternalStore needs). */
function subscribeTick(onChange: () => void): () => void {
  const t = setInterval(onChange, TICK_MS);
  return () => clearInterval(t);
}
const tick = () => Math.floor(Date.now() / TICK_MS);

/**
 * A point in time, written the portal's one way (lib/ui/time.ts). The server and the first client
 * render write it in UTC (they agree, so hydration matches); after mounting it switches to the
 * browser's zone. `relative` shows "5 minutes ago" (refreshed every 30 s) with the exact time on
 * hover; `seconds` adds seconds (logs, steps).
 */
export function Time({ value, relative = false, seconds = false, className }: { value: Date | string; relative?: boolean; seconds?: boolean; className?: string }) {
  const date = typeof value === "string" ? new Date(value) : value;
  const zone = useDisplayZone();
  // null on the server and while hydrating; then the current 30 s tick (only relative times re-render).
  const ticks = useSyncExternalStore(relative ? subscribeTick : noSubscription, tick, () => null);
  if (Number.isNaN(date.getTime())) return null;
  const now = ticks === null || zone === "UTC" ? null : new Date(ticks * TICK_MS);
  const exact = formatExact(date, { seconds, timeZone: zone });
  return (
    <time dateTime={date.toISOString()} title={exact} className={className}>
      {relative && now ? formatRelative(date, now) : exact}
    </time>
  );
}
