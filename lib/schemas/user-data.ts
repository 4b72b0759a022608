/**
 * Custom cloud-init user-data, as the create request takes it (`user_data`, the wizard's Access
 * step): `#cloud-config` YAML (the header is optional; it is added when missing), a mapping at the
 * top (`packages: [htop]`, `runcmd: [...]`), at most USER_DATA_MAX_BYTES of UTF-8. Pure and
 * browser-safe: the YAML parser is passed in (lib/schemas/yaml.ts), so the wizard can load it
 * only when someone types user-data.
 */

/** 16 KiB: well under VergeOS's 64 KB per cloud-init file, with room for the login part Hangar adds. */
export const USER_DATA_MAX_BYTES = 16 * 1024;

export const CLOUD_CONFIG_HEADER = "#cloud-config";

/** Parses YAML text; throws an Error (its message says where) when it is not YAML. */
export type YamlParser = (text: string) => unknown;

/** The text's size in bytes as UTF-8. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Why `text` cannot be used as user-data (a sentence without the field's name), or null.
 * Checks, in order: size, control characters, the header of another cloud-init format (a
 * script, an include, MIME: only cloud-config is taken), YAML syntax, a mapping at the top.
 */
export function userDataProblem(text: string, parse: YamlParser): string | null {
  const bytes = utf8Bytes(text);
  if (bytes > USER_DATA_MAX_BYTES) return `is ${bytes} bytes; at most ${USER_DATA_MAX_BYTES} bytes (16 KiB)`;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return "must not contain control characters";
  if (!text.trim()) return "is empty";
  const first = text.trimStart().split("\n", 1)[0]!.trim();
  if (first.startsWith("#") && first !== CLOUD_CONFIG_HEADER && /^#(!|include|cloud-boothook|part-handler|cloud-config-archive)/.test(first)) {
    return `must be cloud-config YAML (it starts with "${first.slice(0, 30)}"; scripts can go under runcmd:)`;
  }
  if (/^Content-Type:/im.test(text.slice(0, 200)) && /^MIME-Version:/im.test(text.slice(0, 400))) return "must be cloud-config YAML, not a MIME multipart message";
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    return `is not valid YAML: ${(error as Error).message.split("\n")[0]}`;
  }
  if (value === null || value === undefined) return "holds no settings (only comments)";
  if (typeof value !== "object" || Array.isArray(value)) return "must be a cloud-config mapping (lines like `packages: [htop]`), not a single value or a list";
  return null;
}

/** The text as cloud-config: with the `#cloud-config` header first (added when missing), ending in a newline. */
export function asCloudConfig(text: string): string {
  const body = text.replace(/\r\n/g, "\n").trim();
  return `${body.startsWith(CLOUD_CONFIG_HEADER) ? body : `${CLOUD_CONFIG_HEADER}\n${body}`}\n`;
}
