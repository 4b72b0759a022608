/**
 * Shape of PVE's API description (`PVE::RESTHandler::api_dump`, the data behind the API viewer).
 * Only the keys the validator reads are typed; numbers may arrive as numeric strings
 * (e.g. `"minimum": "0"`) because the dump serialises Perl scalars as they were written.
 */
export type PveHttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export type PveFormat = string | Record<string, PveProp>;

export type PveProp = {
  type?: string | string[];
  format?: PveFormat;
  optional?: number | boolean | string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number | string;
  maxLength?: number | string;
  properties?: Record<string, PveProp>;
  items?: PveProp;
  additionalProperties?: number | boolean | string | PveProp;
  /** In property strings: this key is another name for `alias`. */
  alias?: string;
  /** In property strings: a key such as `virtio=MAC` also sets `keyAlias` (`model`) to the key's name. */
  keyAlias?: string;
  /** In property strings: the key that may appear bare, without `key=`. */
  default_key?: number | boolean | string;
  requires?: string | PveProp;
  description?: string;
};

export type PveMethodInfo = {
  parameters?: PveProp;
  returns?: PveProp;
};

export type PveSchemaNode = {
  path: string;
  text?: string;
  leaf?: number;
  info?: Partial<Record<PveHttpMethod, PveMethodInfo>>;
  children?: PveSchemaNode[];
};

export type PveApiSchema = PveSchemaNode[];

/** PVE schema flags are Perl truthiness: 1, "1", true. */
export function truthy(flag: unknown): boolean {
  return flag === true || flag === 1 || flag === "1";
}

export function numberOrUndefined(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}
