import { describe, expect, it } from "vitest";
import { formatUpid, isUpid, parseUpid, UpidError } from "./upid";

const SAMPLE = "UPID:pve1:000934AF:0D015579:68BF3A41:qmclone:9000:root@pam!hangar:";

describe("parseUpid", () => {
  it("parses every field of a token-user UPID", () => {
    const u = parseUpid(SAMPLE);
    expect(u).toEqual({
      node: "pve1",
      pid: 0x934af,
      pstart: 0x0d015579,
      starttime: new Date(0x68bf3a41 * 1000),
      type: "qmclone",
      id: "9000",
      user: "root@pam!hangar",
    });
    expect(u.starttime.toISOString()).toBe("2025-09-08T20:19:13.000Z");
  });

  it("accepts a 9-digit pstart, an empty id and a hyphenated node", () => {
    const u = parseUpid("UPID:node-b2:0000ABCD:1A2B3C4D5:68BF3A41:vzdump::admin@pve:");
    expect(u.node).toBe("node-b2");
    expect(u.pstart).toBe(0x1a2b3c4d5);
    expect(u.id).toBe("");
    expect(u.user).toBe("admin@pve");
  });

  it.each([
    ["empty", ""],
    ["wrong prefix", "XPID:pve1:000934AF:0D015579:68BF3A41:qmclone:9000:root@pam:"],
    ["missing trailing colon", "UPID:pve1:000934AF:0D015579:68BF3A41:qmclone:9000:root@pam"],
    ["short pid", "UPID:pve1:934AF:0D015579:68BF3A41:qmclone:9000:root@pam:"],
    ["non-hex starttime", "UPID:pve1:000934AF:0D015579:68BF3AZZ:qmclone:9000:root@pam:"],
    ["10-digit pstart", "UPID:pve1:000934AF:0D015579AB:68BF3A41:qmclone:9000:root@pam:"],
    ["empty user", "UPID:pve1:000934AF:0D015579:68BF3A41:qmclone:9000::"],
    ["empty type", "UPID:pve1:000934AF:0D015579:68BF3A41::9000:root@pam:"],
    ["bad node name", "UPID:-pve:000934AF:0D015579:68BF3A41:qmclone:9000:root@pam:"],
    ["whitespace in user", "UPID:pve1:000934AF:0D015579:68BF3A41:qmclone:9000:root @pam:"],
    ["extra field", "UPID:pve1:000934AF:0D015579:68BF3A41:qmclone:9000:root@pam:x:"],
  ])("rejects %s", (_label, text) => {
    expect(() => parseUpid(text)).toThrow(UpidError);
    expect(() => parseUpid(text)).toThrow(/not a PVE task id/);
    expect(isUpid(text)).toBe(false);
  });

  it("isUpid narrows only real UPIDs", () => {
    expect(isUpid(SAMPLE)).toBe(true);
    expect(isUpid(null)).toBe(false);
    expect(isUpid(42)).toBe(false);
  });
});

describe("formatUpid", () => {
  it("round-trips PVE's own formatting (upper-case hex, zero padding)", () => {
    expect(formatUpid(parseUpid(SAMPLE))).toBe(SAMPLE);
    const text = formatUpid({ node: "pve2", pid: 1, pstart: 2, starttime: new Date(3000), type: "qmstart", id: "101", user: "u@pve" });
    expect(text).toBe("UPID:pve2:00000001:00000002:00000003:qmstart:101:u@pve:");
  });

  it("refuses values PVE could not parse back", () => {
    const base = parseUpid(SAMPLE);
    expect(() => formatUpid({ ...base, user: "a:b" })).toThrow(UpidError);
    expect(() => formatUpid({ ...base, pid: -1 })).toThrow(/pid out of range/);
    expect(() => formatUpid({ ...base, pid: 0x1_0000_0000 })).toThrow(/pid out of range/);
  });
});
