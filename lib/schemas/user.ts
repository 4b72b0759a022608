import { z } from "zod";
import { text } from "./text";

export const roles = ["user", "support", "admin"] as const;
export const MIN_PASSWORD_LENGTH = 8;

export const emailSchema = text(254).trim().toLowerCase().pipe(z.email("must be a valid email address"));
export const passwordSchema = text(200).min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`);

export const createUserSchema = z.object({
  email: emailSchema,
  password: passwordSchema.optional(),
  name: text(200).trim().optional(),
  role: z.enum(roles).default("user"),
  plan: text(100).trim().min(1).optional(),
  disabled: z.boolean().default(false),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

/** Longest email address (RFC 5321) and password a sign-in accepts; longer ones are a 400 naming the field, never a database error. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_LOGIN_PASSWORD_LENGTH = 1024;

export const loginSchema = z.object({
  email: text(MAX_EMAIL_LENGTH).trim().min(1, "is required"),
  password: text(MAX_LOGIN_PASSWORD_LENGTH).min(1, "is required"),
});

export const personalTokenSchema = z.object({
  name: text(100).trim().min(1, "Name is required").max(100, "Name is too long"),
  expiresInDays: z.coerce.number().int().min(1).max(3650).nullable().optional(),
});
