/**
 * The colour theme: "system" follows the browser's prefers-color-scheme, "light" and "dark" are
 * the user's explicit choice, saved in localStorage under THEME_STORAGE_KEY (per browser, not per
 * account, so the sign-in page already knows it). The `dark` class on <html> selects the dark
 * palette (app/globals.css).
 */
export const THEME_STORAGE_KEY = "hangar-theme";
export const THEMES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEMES)[number];

/** The saved choice, or "system" for anything else (nothing saved, an old or foreign value). */
export function parseThemeChoice(value: unknown): ThemeChoice {
  return (THEMES as readonly unknown[]).includes(value) ? (value as ThemeChoice) : "system";
}

/** Whether a choice means dark, given whether the system prefers dark. */
export function isDark(choice: ThemeChoice, systemPrefersDark: boolean): boolean {
  return choice === "dark" || (choice === "system" && systemPrefersDark);
}

/**
 * Runs in <head> before the first paint (app/layout.tsx), so a dark page never flashes light.
 * Plain ES5 with no imports: it is inlined as text. A failing localStorage (disabled storage)
 * falls back to the system setting.
 */
export const THEME_BOOT_SCRIPT = `(function(){try{var c=null;try{c=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)})}catch(e){}var d=c==="dark"||(c!=="light"&&window.matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.classList.toggle("dark",d)}catch(e){}})();`;
