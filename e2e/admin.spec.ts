import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { demoCredential, mainNav, readState, signInAs } from "./helpers";

/** The admin console's tab bar. */
function adminTab(page: Page, label: string) {
  return page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: label, exact: true });
}

async function openAdmin(page: Page, section: string) {
  await mainNav(page).getByRole("link", { name: "Admin", exact: true }).click();
  await adminTab(page, section).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(section);
}

/** Puts the demo user back on the standard plan, so that later specs see the demo as seeded. */
async function restoreDemoUserPlan(): Promise<void> {
  const state = readState();
  const url = new URL(state.database.adminUrl);
  url.pathname = `/${state.database.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`UPDATE "User" SET "planId" = (SELECT id FROM "Plan" WHERE name = 'standard') WHERE email = $1`, [demoCredential("user").email]);
  } finally {
    await client.end();
  }
}

test.describe("admin console", () => {
  test.afterAll(restoreDemoUserPlan);

  test("an admin creates plan tiny and assigns it to the demo user: the New VM wizard applies it at once", async ({ page, browser }) => {
    const user = demoCredential("user");
    await signInAs(page, "admin");
    await openAdmin(page, "Plans");
    await page.getByRole("link", { name: "New plan" }).click();
    await page.getByLabel("Name", { exact: true }).fill("tiny");
    await page.getByLabel("Description").fill("One core per VM");
    await page.getByLabel("Per VM: vCPU cores").fill("1");
    // Memory is typed in GiB (the API keeps MB): 1.5 GiB per VM is 1536 MB.
    await expect(page.getByLabel("Per VM: Memory (GiB)")).toHaveValue("8");
    await page.getByLabel("Per VM: Memory (GiB)").fill("1.5");
    // The same zod schema checks in the browser: a per-VM limit above the total is refused there.
    await page.getByLabel("Total: vCPU cores").fill("0");
    await page.getByRole("button", { name: "Create plan" }).click();
    await expect(page.getByText("Must be at least 1")).toBeVisible();
    await page.getByLabel("Total: vCPU cores").fill("4");
    await page.getByRole("button", { name: "Create plan" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("tiny");
    await expect(page.getByLabel("Per VM: Memory (GiB)")).toHaveValue("1.5");

    await page.getByRole("checkbox", { name: user.email }).check();
    await page.getByRole("button", { name: "Assign to tiny" }).click();
    await expect(page.getByText("Moved 1 user and 0 teams to tiny.")).toBeVisible();
    await expect(page.getByRole("list", { name: "On this plan" })).toContainText(user.email);

    const context = await browser.newContext();
    try {
      const userPage = await context.newPage();
      await signInAs(userPage, "user");
      await mainNav(userPage).getByRole("link", { name: "New VM" }).click();
      await userPage.getByRole("button", { name: /ubuntu-24\.04/ }).click();
      await userPage.getByRole("button", { name: "Next" }).click();
      await expect(userPage.getByText(/^1 to 1.5 GiB$/)).toBeVisible();
      await userPage.getByLabel("CPU cores (vCPU)").fill("2");
      await expect(userPage.getByText("At most 1: your plan allows 1 per VM")).toBeVisible();
      await expect(userPage.getByRole("button", { name: "Next" })).toBeDisabled();
    } finally {
      await context.close();
    }

    // Back to the standard plan, through the console: the audit log shows both moves.
    await adminTab(page, "Plans").click();
    await page.getByRole("link", { name: "standard", exact: true }).click();
    await page.getByRole("checkbox", { name: user.email }).check();
    await page.getByRole("button", { name: "Assign to standard" }).click();
    await expect(page.getByText("Moved 1 user and 0 teams to standard.")).toBeVisible();
    await adminTab(page, "Audit log").click();
    await page.getByLabel("Target type").selectOption("plan");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/targetType=plan/);
    const created = page.getByRole("row").filter({ hasText: "plan.create" }).first();
    await expect(created).toContainText("admin@hangar.local");
    await expect(created).toContainText("maxCpuCoresPerVm");
  });

  test("an admin discovers the simulated cluster's templates and imports one under a new name", async ({ page }) => {
    await signInAs(page, "admin");
    await openAdmin(page, "Providers");
    await page.getByRole("link", { name: "demo-cluster", exact: true }).click();
    // The secret is never sent to the browser; saving with the field empty keeps the stored one.
    await expect(page.getByLabel("Token secret")).toHaveValue("");
    await expect(page.getByLabel("Token secret")).toHaveAttribute("placeholder", "••• stored; leave empty to keep");
    // NFS is what new VMs get anyway without a default (see README), so later specs see no change.
    await page.getByLabel("Default storage").fill("NFS");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(page.getByText(/Version \d+\.\d+/)).toBeVisible();
    await page.getByRole("link", { name: "Discover", exact: true }).click();

    const discovered = page.getByRole("table", { name: "Discovered templates" });
    const debian = discovered.getByRole("row").filter({ hasText: "debian-12-template" });
    await expect(debian).toContainText("vmid 9001 on pve2");
    await expect(debian).toContainText("Published as debian-12");
    await expect(page.getByRole("table", { name: "Nodes" })).toContainText("pve3");
    await expect(page.getByRole("table", { name: "Storages" })).toContainText("NFS");

    const label = "debian-12-template (9001)";
    await page.getByLabel(`Import ${label}`).check();
    await expect(page.getByLabel(`Minimum vCPU cores for ${label}`)).toHaveValue("2");
    await expect(page.getByLabel(`Minimum memory (GiB) for ${label}`)).toHaveValue("2");
    await expect(page.getByLabel(`Minimum disk (GB) for ${label}`)).toHaveValue("20");
    // A name that is taken is refused by the server, at its field.
    await page.getByLabel(`Portal name for ${label}`).fill("debian-12");
    await page.getByRole("button", { name: "Import 1 template" }).click();
    await expect(discovered.getByText('A template named "debian-12" already exists')).toBeVisible();
    await page.getByLabel(`Portal name for ${label}`).fill("bookworm-lab");
    await page.getByLabel(`Description of ${label}`).fill("Debian 12 for the lab");
    await page.getByRole("button", { name: "Import 1 template" }).click();
    await expect(page.getByText("Imported 1 template.")).toBeVisible();
    await expect(debian).toContainText("bookworm-lab");

    await adminTab(page, "Templates").click();
    const row = page.getByRole("table", { name: "Templates" }).getByRole("row").filter({ hasText: "bookworm-lab" });
    await expect(row).toContainText("demo-cluster · VMID 9001 on pve2");
    await expect(row).toContainText("nobody yet");
    await expect(row).toContainText("2 vCPU · 2 GiB · 20 GB");

    // Its visibility and sizes are edited on its page; a default below the minimum is refused in the browser.
    await row.getByRole("link", { name: "bookworm-lab" }).click();
    await page.getByRole("checkbox", { name: /admin@hangar\.local/ }).check();
    await page.getByLabel("Default vCPU cores").fill("1");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Must be at least the minimum (2 cores)")).toBeVisible();
    await page.getByLabel("Default vCPU cores").fill("4");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await adminTab(page, "Templates").click();
    await expect(page.getByRole("table", { name: "Templates" }).getByRole("row").filter({ hasText: "bookworm-lab" })).toContainText("1 user");
  });

  test("an admin creates a team with a plan and adds and removes a member", async ({ page }) => {
    const support = demoCredential("support");
    await signInAs(page, "admin");
    await openAdmin(page, "Teams");
    await page.getByRole("link", { name: "New team" }).click();
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page.getByText("Required")).toBeVisible();
    await page.getByLabel("Name", { exact: true }).fill("platform");
    await page.getByLabel("Team plan").selectOption({ label: "large" });
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("platform");

    await page.getByRole("checkbox", { name: support.email }).check();
    await page.getByRole("button", { name: "Add to team" }).click();
    await expect(page.getByRole("list", { name: "Members" })).toContainText(support.email);
    await page.getByRole("button", { name: `Remove ${support.email}` }).click();
    await expect(page.getByText(`Removed ${support.email}.`)).toBeVisible();
    await expect(page.getByText("No members yet.")).toBeVisible();
    await adminTab(page, "Teams").click();
    await expect(page.getByRole("table", { name: "Teams" }).getByRole("row").filter({ hasText: "platform" })).toContainText("large");
  });

  test("the last admin can neither be demoted nor disable themself", async ({ page }) => {
    const admin = demoCredential("admin");
    await signInAs(page, "admin");
    await openAdmin(page, "Users");
    await page.getByRole("table", { name: "Users" }).getByRole("link", { name: admin.email, exact: true }).click();
    await page.getByLabel("Role").selectOption("user");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("alert").filter({ hasText: `${admin.email} is the last enabled admin` }).first()).toBeVisible();
    await page.getByLabel("Role").selectOption("admin");
    await page.getByLabel("Disabled").check();
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "You cannot disable your own account" }).first()).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Role")).toHaveValue("admin");
    await expect(page.getByLabel("Disabled")).not.toBeChecked();
  });
});
