import { z } from "zod";

export const roles = ["user", "support", "admin"] as const;
export const MIN_PASSWORD_LENGTH = 8;

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("must be a valid email address"));
export const passwordSchema = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200);

export const createUserSchema = z.object({
  email: emailSchema,
  password: passwordSchema.optional(),
  name: z.string().trim().max(200).optional(),
  role: z.enum(roles).default("user"),
  plan: z.string().trim().min(1).optional(),
  disabled: z.boolean().default(false),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const loginSchema = z.object({
  email: z.string().trim().min(1, "is required"),
  password: z.string().min(1, "is required"),
});

export const personalTokenSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(100, "Name is too long"),
  expiresInDays: z.coerce.number().int().min(1).max(3650).nullable().optional(),
});
