import { describe, expect, it } from "vitest";
import { decodeUrlencoded, malformedJsonMessage, perlSplit } from "./form";
import { parsePropertyString, splitList } from "./schema";

describe("perlSplit", () => {
  it("keeps leading empty fields and drops trailing ones, like Perl's split", () => {
    expect(perlSplit("a=b=c", /=/)).toEqual(["a", "b", "c"]);
    expect(perlSplit("=x", /=/)).toEqual(["", "x"]);
    expect(perlSplit("a=", /=/)).toEqual(["a"]);
    expect(perlSplit("a==", /=/)).toEqual(["a"]);
    expect(perlSplit("", /=/)).toEqual([]);
  });
});

describe("decodeUrlencoded (PVE::APIServer::AnyEvent::decode_urlencoded)", () => {
  it("splits each pair on every '=' and keeps only the first two fields", () => {
    expect(decodeUrlencoded("ipconfig0=ip=dhcp").get("ipconfig0")).toBe("ip");
    expect(decodeUrlencoded("ipconfig0=ip%3Ddhcp").get("ipconfig0")).toBe("ip=dhcp");
  });

  it("turns '+' into a space before percent-decoding", () => {
    expect(decodeUrlencoded("size=+10G").get("size")).toBe(" 10G");
    expect(decodeUrlencoded("size=%2B10G").get("size")).toBe("+10G");
    expect(decodeUrlencoded("name=a+b%20c").get("name")).toBe("a b c");
  });

  it("separates pairs on '&' and ';'", () => {
    const p = decodeUrlencoded("a=1;b=2&c=3");
    expect([...p.entries()]).toEqual([
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
    ]);
  });

  it("leaves invalid percent sequences alone and decodes UTF-8", () => {
    expect(decodeUrlencoded("d=100%25%zz").get("d")).toBe("100%%zz");
    expect(decodeUrlencoded("d=caf%C3%A9").get("d")).toBe("café");
  });

  it("gives keys without value an undefined value, and repeated keys an array", () => {
    const p = decodeUrlencoded("a&b=&c=1&c=2");
    expect(p.has("a")).toBe(true);
    expect(p.get("a")).toBeUndefined();
    expect(p.get("b")).toBeUndefined();
    expect(p.get("c")).toEqual(["1", "2"]);
  });

  it("treats an empty body and the body '0' as no parameters (Perl truthiness)", () => {
    expect(decodeUrlencoded("").size).toBe(0);
    expect(decodeUrlencoded("0").size).toBe(0);
    expect(decodeUrlencoded(undefined).size).toBe(0);
  });
});

describe("property strings and lists", () => {
  const ipconfig = "pve-qm-ipconfig";
  it("parses key=value lists and rejects a value without key when there is no default key", () => {
    expect(parsePropertyString(ipconfig, "ip=10.0.0.5/24,gw=10.0.0.1")).toEqual({ ip: "10.0.0.5/24", gw: "10.0.0.1" });
    expect(() => parsePropertyString(ipconfig, "ip")).toThrow("value without key, but schema does not define a default key");
    expect(() => parsePropertyString(ipconfig, "ip=dhcp,ip=dhcp")).toThrow("duplicate key");
    expect(() => parsePropertyString(ipconfig, "foo=1")).toThrow("invalid key in comma-separated list property: foo");
  });

  it("split_list splits on commas, semicolons and whitespace", () => {
    expect(splitList("a;b, c  d")).toEqual(["a", "b", "c", "d"]);
    expect(splitList("")).toEqual([]);
  });

  it("describes malformed JSON like JSON::XS", () => {
    expect(malformedJsonMessage("")).toMatch(/^malformed JSON string, .* at character offset 0 \(before "\(end of string\)"\)/);
  });
});
