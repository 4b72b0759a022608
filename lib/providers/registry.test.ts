import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { encryptJson } from "../crypto/secrets";
import type { Db } from "../db/client";
import { PROVIDER_KINDS } from "../schemas/catalog";
import { PROVIDER_CATALOG, enableProblem } from "./catalog";
import { closeProviderClients, moduleFor, providerFor, providerModules } from "./registry";

let sealed: string;
beforeAll(() => {
  process.env.HANGAR_SECRET_KEY ??= randomBytes(32).toString("hex");
  sealed = encryptJson({ tokenId: "root@pam!hangar", secret: "s" });
});
afterEach(() => closeProviderClients());

const row = (changes: Partial<Db.ProviderConnection> = {}): Db.ProviderConnection => ({
  id: "p1",
  name: "lab",
  kind: "pve",
  baseUrl: "https://pve.example:8006",
  credentials: sealed,
  tlsVerify: false,
  tlsCa: null,
  tlsFingerprint: null,
  settings: {},
  enabled: true,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...changes,
});

describe("the provider registry", () => {
  it("maps every kind to a module or an announced kind, with a label and a URL hint", () => {
    expect(Object.keys(providerModules).sort()).toEqual([...PROVIDER_KINDS].sort());
    for (const kind of PROVIDER_KINDS) {
      expect(providerModules[kind]).toBeDefined();
      expect(providerModules[kind].kind).toBe(kind);
      expect(PROVIDER_CATALOG[kind].label).toBeTruthy();
      expect(PROVIDER_CATALOG[kind].urlHint).toMatch(/^https:\/\//);
      expect(PROVIDER_CATALOG[kind].available).toBe(providerModules[kind].available);
    }
  });

  it("Proxmox VE and VergeOS can be enabled", () => {
    expect(enableProblem("pve")).toBeNull();
    expect(enableProblem("vergeos")).toBeNull();
  });

  it("Nova Cloud can be enabled and connected (API key, or e-mail login)", () => {
    expect(enableProblem("nova")).toBeNull();
    expect(moduleFor("nova").kind).toBe("nova");
    expect(providerFor(row({ id: "n1", kind: "nova", baseUrl: "https://api.nova-cloud.ai", credentials: encryptJson({ apiKey: "nv_test" }) }))).toBeDefined();
    expect(providerFor(row({ id: "n2", kind: "nova", baseUrl: "https://api.nova-cloud.ai", credentials: encryptJson({ username: "a@b.c", password: "pw" }) }))).toBeDefined();
    expect(() => providerFor(row({ id: "n3", kind: "nova", credentials: encryptJson({ tokenId: "x" }) }))).toThrow("no usable credentials");
  });

  it("builds a client once per connection and again only when its settings change", () => {
    const first = providerFor(row());
    expect(providerFor(row({ updatedAt: new Date() }))).toBe(first); // nothing that matters changed
    const moved = providerFor(row({ baseUrl: "https://pve2.example:8006" }));
    expect(moved).not.toBe(first);
    expect(providerFor(row({ baseUrl: "https://pve2.example:8006" }))).toBe(moved);
    expect(providerFor(row({ baseUrl: "https://pve2.example:8006", settings: { defaultStorage: "local-lvm" } }))).not.toBe(moved);
    expect(providerFor(row({ id: "p2" }))).not.toBe(first); // another connection
    expect(providerFor(row({ credentials: encryptJson({ tokenId: "root@pam!hangar", secret: "rotated" }) }))).not.toBe(first);
  });
});
