import { randomBytes } from "node:crypto";

/** Task ids in the seed's shape: `clone-<random>-<epoch ms>`. */
export function newTaskId(kind: string): string {
  return `${kind}-${randomBytes(6).toString("hex")}-${Date.now()}`;
}
