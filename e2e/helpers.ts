import { expect, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { currentState, type DemoCredential, type DemoRole, type E2EState } from "./state";

export type { DemoCredential, DemoRole, E2EState };

/** The state global setup wrote for this run; fails loudly outside a run. */
export function readState(): E2EState {
  const state = currentState();
  if (!state) throw new Error("no e2e state for this run: start the suite with `npx playwright test` (global setup writes test-results/e2e-state.json)");
  return state;
}

export function demoCredential(role: DemoRole): DemoCredential {
  const found = readState().credentials.find((c) => c.role === role);
  if (!found) throw new Error(`global setup found no demo credentials for ${role}`);
  return found;
}

export function mainNav(page: Page): Locator {
  return page.getByRole("navigation", { name: "Main" });
}

/** Signs in through the sign-in form and waits until the portal shows its navigation. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/vms$/);
  await expect(mainNav(page)).toBeVisible();
}

export async function signInAs(page: Page, role: DemoRole): Promise<DemoCredential> {
  const credential = demoCredential(role);
  await signIn(page, credential.email, credential.password);
  return credential;
}

/** A card on a page (components/ui/card.tsx): the innermost element holding its h2 title and `containing`. */
export function card(page: Page, title: string, containing = "*"): Locator {
  return page
    .locator("div")
    .filter({ has: page.getByRole("heading", { level: 2, name: title, exact: true }) })
    .filter({ has: page.locator(containing) })
    .last();
}

/** The path of a URL string, for assertions that must not depend on host or port. */
export const onPath = (pathname: string) => (url: URL) => url.pathname === pathname;

/**
 * Aborts every request that leaves the machine. oidc-provider's development pages @import a
 * Google font; offline, waiting for it only delays their load event.
 */
export async function blockExternalRequests(context: BrowserContext): Promise<void> {
  await context.route(
    (url) => !["127.0.0.1", "localhost"].includes(url.hostname),
    (route) => route.abort("blockedbyclient"),
  );
}
