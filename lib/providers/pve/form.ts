/**
 * Form encoding for PVE, and a copy of the server's decoder so callers (and tests) can see
 * exactly what PVE will read.
 *
 * PVE's decoder (PVE::APIServer::AnyEvent::decode_urlencoded) splits pairs on `&` *and* `;`,
 * splits each pair on *every* `=` keeping only the first two pieces, turns `+` into a space
 * and then percent-decodes. So `ip=dhcp` or `+10G` only survive when fully percent-encoded,
 * which URLSearchParams does (hand-built strings usually don't).
 */
export type PveParamValue = string | number | boolean | undefined | null;
export type PveParams = Record<string, PveParamValue>;

/** Text PVE expects for a value: booleans as exactly `1`/`0`, numbers in plain decimal. */
export function paramText(name: string, value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`PVE parameter ${name} must be a finite number, got ${value}`);
    return String(value);
  }
  return value;
}

/** Drops undefined/null and converts values; insertion order is kept (tests compare raw bodies). */
export function encodeParams(params: PveParams | undefined): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    form.append(name, paramText(name, value));
  }
  return form;
}

function percentDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    const hex = text.slice(i + 1, i + 3);
    if (ch === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch === "+" ? " " : ch, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * What PVE's decoder makes of a body or query string. Keys without a value (`k` or `k=`)
 * reach the API as undefined, i.e. "not sent", so they are left out here too; a repeated
 * key becomes a NUL-joined list as in PVE.
 */
export function decodePveForm(data: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (!data) return result;
  for (const pair of data.split(/[&;]/)) {
    const pieces = pair.split("=");
    // Perl's split drops trailing empty fields: "k=" yields just ("k").
    while (pieces.length > 1 && pieces[pieces.length - 1] === "") pieces.pop();
    const key = percentDecode(pieces[0] ?? "");
    const raw = pieces[1];
    if (raw === undefined) continue;
    const value = percentDecode(raw);
    result[key] = Object.hasOwn(result, key) ? `${result[key]}\0${value}` : value;
  }
  return result;
}
