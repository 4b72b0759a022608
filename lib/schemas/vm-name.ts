/** The VM name rule, apart from the request schemas so that browser pages can check names without zod. */

/** A DNS label-based host name as PVE requires for `name` (format dns-name). */
export const VM_NAME_RULE = "use 1-63 letters, digits and hyphens per label, not starting or ending with a hyphen";
export function vmNameProblem(name: string): string | null {
  if (name.length === 0) return "name is empty";
  if (name.length > 253) return "name is longer than 253 characters";
  const labels = name.split(".");
  for (const label of labels) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) return `"${name}" is not a valid DNS name (${VM_NAME_RULE})`;
  }
  return null;
}
