import { db } from "../../db/client";
import { AppError } from "../../errors";
import { providerFor } from "../../providers/registry";
import { notFound } from "../common";

/** Asks the provider for its version with the stored settings; its own words when it fails. */
export async function testProviderConnection(id: string): Promise<{ version: string }> {
  const row = await db().providerConnection.findUnique({ where: { id } });
  if (!row) throw notFound("Provider");
  try {
    return await providerFor(row).testConnection();
  } catch (error) {
    throw new AppError("bad_request", providerProblem(error), { cause: error });
  }
}

/** A provider failure as one line for the admin: the provider's (or the registry's) message. */
export function providerProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim() || "The provider did not answer";
}
