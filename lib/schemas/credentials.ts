import { z } from "zod";
import { userUpdateSchema } from "./admin";
import { passwordSchema } from "./user";

/**
 * Forms and actions that end a user's credentials (lib/auth/end-credentials.ts): the admin's
 * user edit (with an optional new password), "Sign out everywhere", and the profile's password
 * change. Free of server-only imports (forms use these too).
 */

/** An optional new password: empty means "unchanged". */
const newPassword = z
  .union([z.literal(""), passwordSchema])
  .optional()
  .transform((v) => v || undefined);

/**
 * The admin's user edit: the fields of userUpdateSchema, a new password (optional) and whether
 * the user's personal API tokens survive a password change or a disable (default: revoked).
 */
export const userEditSchema = userUpdateSchema.extend({
  newPassword,
  keepApiTokens: z.boolean().default(false),
});
export type UserEditInput = z.input<typeof userEditSchema>;
export type UserEdit = z.output<typeof userEditSchema>;

/** The admin's "Sign out everywhere": sessions and login tokens always end; personal API tokens when asked. */
export const signOutEverywhereSchema = z.object({
  id: z.string().trim().min(1, "Required").max(200),
  revokeApiTokens: z.boolean().default(false),
});
export type SignOutEverywhere = z.output<typeof signOutEverywhereSchema>;

/** A person changing their own password on the profile page. */
export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(1024),
    newPassword: passwordSchema,
    keepApiTokens: z.boolean().default(false),
  })
  .refine((v) => v.currentPassword !== v.newPassword, { path: ["newPassword"], message: "must differ from the current password" });
export type ChangePasswordInput = z.input<typeof changePasswordSchema>;
export type ChangePassword = z.output<typeof changePasswordSchema>;
