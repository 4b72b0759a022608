"use client";

import { useEffect, useSyncExternalStore } from "react";
import { cn } from "@/components/ui/cn";
import { isDark, parseThemeChoice, THEME_STORAGE_KEY, THEMES, type ThemeChoice } from "@/lib/ui/theme";

const NAMES: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

function readChoice(): ThemeChoice {
  try {
    return parseThemeChoice(localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return "system";
  }
}

/** Told when this tab saves a choice; "storage" events bring choices made in other tabs. */
const CHANGED = "hangar-theme-change";
function subscribeChoice(onChange: () => void): () => void {
  const other = (e: StorageEvent) => {
    if (e.key === THEME_STORAGE_KEY) {
      apply(readChoice());
      onChange();
    }
  };
  window.addEventListener("storage", other);
  window.addEventListener(CHANGED, onChange);
  return () => {
    window.removeEventListener("storage", other);
    window.removeEventListener(CHANGED, onChange);
  };
}

function apply(choice: ThemeChoice): void {
  document.documentElement.classList.toggle("dark", isDark(choice, window.matchMedia("(prefers-color-scheme: dark)").matches));
}

function Icon({ choice }: { choice: ThemeChoice }) {
  const common = { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 1.7, className: "h-5 w-5", "aria-hidden": true } as const;
  if (choice === "light")
    return (
      <svg {...common}>
        <circle cx="12" cy="12" r="4" />
        <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" strokeLinecap="round" />
      </svg>
    );
  if (choice === "dark")
    return (
      <svg {...common}>
        <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5Z" strokeLinejoin="round" />
      </svg>
    );
  return (
    <svg {...common}>
      <rect x="3" y="4" width="18" height="12" rx="1.5" />
      <path d="M8 20h8M12 16v4" strokeLinecap="round" />
    </svg>
  );
}

/**
 * The theme switch: cycles System → Light → Dark, saves the choice in this browser and applies it
 * at once; with "System" the page also follows later changes of the system setting.
 */
export function ThemeSwitch({ className }: { className?: string }) {
  // "system" on the server and while hydrating (no mismatch); the saved choice after that.
  const choice = useSyncExternalStore(subscribeChoice, readChoice, () => "system" as const);
  useEffect(() => {
    if (choice !== "system") return;
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const follow = () => apply("system");
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, [choice]);
  const next = THEMES[(THEMES.indexOf(choice) + 1) % THEMES.length]!;
  const label = `Theme: ${NAMES[choice]}. Switch to ${NAMES[next]}`;
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      data-testid="theme-switch"
      data-theme-choice={choice}
      onClick={() => {
        try {
          localStorage.setItem(THEME_STORAGE_KEY, next);
        } catch {
          // Storage blocked: the choice lasts for this page only.
        }
        apply(next);
        window.dispatchEvent(new Event(CHANGED));
      }}
      className={cn("inline-flex shrink-0 items-center rounded-md p-2 text-slate-600 transition-colors hover:bg-slate-100 hover:text-slate-900", className)}
    >
      <Icon choice={choice} />
    </button>
  );
}
