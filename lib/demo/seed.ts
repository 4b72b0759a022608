import { randomBytes } from "node:crypto";
import { db } from "../db/client";
import { applyConfig } from "../config/apply";
import type { HangarConfigInput } from "../schemas/config";
import { demoProvidersConfig } from "./simulated-providers";

/** `label`: how the account is listed when printed (its role when absent). */
export type DemoCredentials = { role: string; email: string; password: string; label?: string; plan?: string }[];

function password(): string {
  return randomBytes(12).toString("base64url");
}

export const demoPlans: NonNullable<HangarConfigInput["plans"]> = [
  {
    name: "standard",
    description: "Everyday VMs for development and testing",
    default: true,
    perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100, gpus: 2 },
    total: { cpuCores: 16, memoryMb: 32768, diskGb: 500, vms: 5, gpus: 4 },
  },
  {
    name: "large",
    description: "Bigger machines for builds and data work",
    default: false,
    perVm: { cpuCores: 16, memoryMb: 65536, diskGb: 500, gpus: 8 },
    total: { cpuCores: 64, memoryMb: 262144, diskGb: 2000, vms: 20, gpus: 16 },
  },
  {
    // Rented GPUs come with the offer's cores and memory (Nova: 6 cores and 32 GB per RTX 4090,
    // 12 and 96 per RTX PRO 6000): a plan for them must allow those sizes.
    name: "gpu-lab",
    description: "GPU machines: rented GPUs with the cores and memory their offers bring",
    default: false,
    perVm: { cpuCores: 48, memoryMb: 393216, diskGb: 1000, gpus: 4 },
    total: { cpuCores: 96, memoryMb: 786432, diskGb: 4000, vms: 10, gpus: 8 },
  },
];

/**
 * The zero-setup demo: four accounts (admin, support, user, and a GPU-lab user) with generated
 * passwords, three plans, a simulated 3-node Proxmox VE cluster with four templates, a simulated VergeOS system
 * with two templates and GPUs, and a simulated Nova Cloud account ($2,500 of balance: enough for a 3-month reservation of two GPUs) with the five
 * GPU templates of Nova's docs. Runs only on an empty database; returns the credentials to print once.
 */
export async function seedDemo(): Promise<DemoCredentials | null> {
  if ((await db().user.count()) > 0) return null;
  const credentials: DemoCredentials = [
    { role: "admin", email: "admin@hangar.local", password: password() },
    { role: "support", email: "support@hangar.local", password: password() },
    { role: "user", email: "user@hangar.local", password: password() },
    // A user whose plan fits rented GPU machines (the standard plan's 4 cores and 8 GB per VM do not).
    { role: "user", label: "gpu-user", email: "gpu@hangar.local", password: password(), plan: "gpu-lab" },
  ];
  await applyConfig(
    {
      ...(await demoProvidersConfig()),
      plans: demoPlans,
      // In US dollars, as the simulated Nova Cloud account bills: one currency for every price and limit.
      prices: { currency: "USD", vcpuHour: 0.012, memoryGbHour: 0.004, diskGbMonth: 0.05, gpuHour: { "4090": 0.45, "5090": 0.69, "6000pro": 1.29 } },
      users: credentials.map((c) => ({
        email: c.email,
        password: c.password,
        role: c.role,
        name: `Demo ${c.label ?? c.role}`,
        plan: c.plan ?? (c.role === "admin" ? "large" : "standard"),
      })),
    },
    { email: "demo-setup" },
  );
  return credentials;
}

export function formatDemoCredentials(credentials: DemoCredentials, url: string): string {
  const width = Math.max(...credentials.map((c) => c.email.length));
  const lines = credentials.map((c) => `  ${(c.label ?? c.role).padEnd(8)} ${c.email.padEnd(width)}  ${c.password}`);
  return [
    "",
    "Hangar demo setup created. These passwords are shown only once:",
    ...lines,
    `Sign in at ${url}`,
    "",
  ].join("\n");
}
