import { db } from "../db/client";
import { AppError } from "../errors";
import { parsePublicKey } from "./parse";

export async function listSshKeys(userId: string) {
  return db().sshKey.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
}

export async function addSshKey(userId: string, input: { name: string; publicKey: string }) {
  let parsed;
  try {
    parsed = parsePublicKey(input.publicKey);
  } catch (error) {
    throw new AppError("bad_request", (error as Error).message);
  }
  const name = input.name.trim() || parsed.comment || parsed.type;
  const existing = await db().sshKey.findUnique({ where: { userId_fingerprint: { userId, fingerprint: parsed.fingerprint } } });
  if (existing) throw new AppError("conflict", `You already saved this key as "${existing.name}"`);
  return db().sshKey.create({ data: { userId, name: name.slice(0, 100), publicKey: parsed.normalized, fingerprint: parsed.fingerprint } });
}

export async function deleteSshKey(userId: string, id: string) {
  const { count } = await db().sshKey.deleteMany({ where: { id, userId } });
  if (count === 0) throw new AppError("not_found", "SSH key not found");
}
