import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { isDark, parseThemeChoice, THEME_BOOT_SCRIPT } from "./theme";

/** Runs the boot script against a fake document and returns whether it set the dark class. */
function boot(saved: string | null, systemDark: boolean, storageThrows = false): boolean {
  const classes = new Set<string>();
  const context = {
    localStorage: { getItem: () => { if (storageThrows) throw new Error("denied"); return saved; } },
    window: { matchMedia: (q: string) => ({ matches: q.includes("dark") && systemDark }) },
    document: { documentElement: { classList: { toggle: (c: string, on: boolean) => (on ? classes.add(c) : classes.delete(c)) } } },
  };
  runInNewContext(THEME_BOOT_SCRIPT, context);
  return classes.has("dark");
}

describe("theme", () => {
  it("reads only known choices", () => {
    expect(parseThemeChoice("dark")).toBe("dark");
    expect(parseThemeChoice("light")).toBe("light");
    expect(parseThemeChoice("purple")).toBe("system");
    expect(parseThemeChoice(null)).toBe("system");
  });

  it("follows the system unless a choice was saved", () => {
    expect(isDark("system", true)).toBe(true);
    expect(isDark("system", false)).toBe(false);
    expect(isDark("light", true)).toBe(false);
    expect(isDark("dark", false)).toBe(true);
  });

  it("the boot script agrees with isDark, also when storage is blocked", () => {
    for (const saved of [null, "light", "dark", "junk"]) {
      for (const systemDark of [true, false]) {
        expect(boot(saved, systemDark)).toBe(isDark(parseThemeChoice(saved), systemDark));
      }
    }
    expect(boot("light", true, true)).toBe(true);
  });
});
