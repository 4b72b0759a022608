import { db } from "../db/client";
import { AppError } from "../errors";
import { asCloudConfig, userDataProblem } from "../schemas/user-data";
import { parseYaml } from "../schemas/yaml";

export const SSH_KEY_NOT_FOUND = "SSH key not found among your keys";

/**
 * The public keys of the user's saved SSH keys `ids`, in the order asked (duplicates once).
 * Any id that is not one of the user's keys is a 400 (SSH_KEY_NOT_FOUND), whoever owns it.
 */
export async function resolveSshKeys(userId: string, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return [];
  const rows = await db().sshKey.findMany({ where: { id: { in: wanted }, userId }, select: { id: true, publicKey: true } });
  const byId = new Map(rows.map((r) => [r.id, r.publicKey]));
  if (wanted.some((id) => !byId.has(id))) throw new AppError("bad_request", SSH_KEY_NOT_FOUND);
  return wanted.map((id) => byId.get(id)!);
}

/** The user's cloud-config, checked (YAML mapping, at most 16 KiB) and with its header: a 400 naming `user_data` otherwise. */
export function checkUserData(text: string): string {
  const problem = userDataProblem(text, parseYaml);
  if (problem) throw new AppError("bad_request", `user_data ${problem}`);
  return asCloudConfig(text);
}
