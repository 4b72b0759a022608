import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type Page } from "@playwright/test";
import { readState, signInAs, type DemoRole } from "./helpers";

/**
 * The accessibility checks shared by e2e/a11y.spec.ts (the user's pages) and
 * e2e/a11y-staff.spec.ts (support and admin pages, run beside the other specs). Every page, as each role sees it, in the light and the dark theme, at 1440 px and 390 px: no
 * page wider than the window, the theme the system setting asks for, and zero axe violations.
 * The full rule set (WCAG 2.1 A/AA and axe's best practices) runs once per theme, light at 1440 px
 * and dark at 390 px; the other two combinations differ only in colours and layout, so they run
 * the rules those can break (contrast, scrollable regions, landmarks' presence), which keeps the
 * specs inside CI's budget. One sign-in per role; the themes come from the emulated system setting
 * (what the portal follows until someone picks one).
 */
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const LAYOUT_RULES = ["color-contrast", "scrollable-region-focusable", "landmark-one-main", "region"];
const COMBINATIONS = [
  { theme: "light", viewport: { width: 1440, height: 900 }, full: true },
  { theme: "dark", viewport: { width: 390, height: 844 }, full: true },
  { theme: "dark", viewport: { width: 1440, height: 900 }, full: false },
  { theme: "light", viewport: { width: 390, height: 844 }, full: false },
] as const;

export async function check(page: Page, paths: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { theme, viewport, full } of COMBINATIONS) {
    await page.emulateMedia({ colorScheme: theme });
    await page.setViewportSize(viewport);
    for (const path of paths) {
      await page.goto(path);
      await expect(page.locator("main#main")).toBeVisible();
      const where = `${path} ${theme} ${viewport.width}px`;
      expect(await page.evaluate(() => document.documentElement.classList.contains("dark")), `${where}: theme`).toBe(theme === "dark");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${where}: ${overflow} px wider than the window`);
      const axe = full ? new AxeBuilder({ page }).withTags(TAGS) : new AxeBuilder({ page }).withRules([...LAYOUT_RULES]);
      const { violations } = await axe.analyze();
      for (const v of violations) problems.push(`${where}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`);
    }
  }
  return problems;
}

/** The first link on `listPath` to a detail page under it (an id the demo setup made). */
export async function firstDetail(page: Page, listPath: string): Promise<string> {
  await page.goto(listPath);
  const href = await page
    .locator(`main a[href^="${listPath}/"]`)
    .evaluateAll((links) => links.map((a) => a.getAttribute("href")!).find((h) => !h.endsWith("/new")));
  expect(href, `a detail link on ${listPath}`).toBeTruthy();
  return href!;
}

export async function signedIn(browser: Browser, role: DemoRole): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: readState().baseURL })).newPage();
  await signInAs(page, role);
  return page;
}

