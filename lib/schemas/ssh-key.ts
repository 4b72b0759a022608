import { z } from "zod";

export const sshKeySchema = z.object({
  name: z.string().trim().max(100, "Name is too long").default(""),
  publicKey: z.string().trim().min(1, "Paste your public key").max(16_000, "That is too long for a public key"),
});
