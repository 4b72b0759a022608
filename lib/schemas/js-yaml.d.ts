// js-yaml 4 ships no types (and @types/js-yaml is not installed): the one function Hangar calls.
declare module "js-yaml" {
  export function load(source: string, options?: { filename?: string; json?: boolean }): unknown;
}
