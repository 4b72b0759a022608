import { db } from "../db/client";
import { log } from "../log";
import { providerFor } from "../providers/registry";
import type { JsonObject } from "../providers/types";
import { withDeadline, DeadlineError } from "../tasks/deadline";

/** How long a page or API read waits for the provider's answer, ms. */
const ASK_MS = 3_000;
/** A VM's address is asked for at most once per this many ms. */
const EVERY_MS = 10_000;
const lastAsked = new Map<string, number>();

/**
 * Fills in the address of a running VM whose create completed without one (its guest agent had
 * not answered yet): asks its provider, at most every 10 s per VM and for at most 3 s, and
 * stores the first address. Returns the address (the stored one, a new one, or null); never
 * throws: a provider that does not answer leaves the VM as it was.
 */
export async function refreshAddress(vmId: string): Promise<string | null> {
  const vm = await db().vm.findUnique({ where: { id: vmId }, include: { provider: true } });
  if (!vm || vm.deletedAt) return null;
  if (vm.ipAddress || vm.status !== "running" || !vm.providerRef || !vm.providerRefId) return vm.ipAddress;
  const now = Date.now();
  if (now - (lastAsked.get(vm.id) ?? 0) < EVERY_MS) return null;
  lastAsked.set(vm.id, now);
  const client = providerFor(vm.provider);
  if (!client.addresses) return null;
  try {
    const ref = { id: vm.providerRefId, data: vm.providerRef as JsonObject };
    const addresses = await withDeadline(ASK_MS, () => client.addresses!(ref), () => new DeadlineError("addresses"));
    const ip = addresses[0];
    if (!ip) return null;
    await db().vm.updateMany({ where: { id: vm.id, ipAddress: null }, data: { ipAddress: ip } });
    log.info({ vmId: vm.id, ip }, "VM address filled in");
    return ip;
  } catch (error) {
    log.debug({ vmId: vm.id, err: error instanceof Error ? error.message : String(error) }, "VM address not available yet");
    return null;
  }
}
