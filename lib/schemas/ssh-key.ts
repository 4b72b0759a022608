import { z } from "zod";
import { text } from "./text";

export const sshKeySchema = z.object({
  name: text(100).trim().max(100, "Name is too long").default(""),
  publicKey: text(16_000, { multiline: true }).trim().min(1, "Paste your public key").max(16_000, "That is too long for a public key"),
});
