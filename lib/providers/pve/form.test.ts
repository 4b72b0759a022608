import { describe, expect, it } from "vitest";
import { decodePveForm, encodeParams, paramText } from "./form";
import { perlPatternToRegExp, splitList } from "./schema-formats";

describe("decodePveForm mirrors PVE's decode_urlencoded", () => {
  it("splits on every `=` and keeps only the first two pieces", () => {
    expect(decodePveForm("ipconfig0=ip=dhcp")).toEqual({ ipconfig0: "ip" });
    expect(decodePveForm("ipconfig0=ip%3Ddhcp")).toEqual({ ipconfig0: "ip=dhcp" });
  });

  it("turns `+` into a space before percent-decoding, and splits pairs on `;` too", () => {
    expect(decodePveForm("size=+10G&d=a%2Bb")).toEqual({ size: " 10G", d: "a+b" });
    expect(decodePveForm("a=1;b=2")).toEqual({ a: "1", b: "2" });
  });

  it("decodes UTF-8 and drops keys without a value, as PVE sees them as not sent", () => {
    expect(decodePveForm("name=J%C3%BCrgen&empty=&bare")).toEqual({ name: "Jürgen" });
  });

  it("joins a repeated key with NUL, like PVE's array values", () => {
    expect(decodePveForm("k=a&k=b")).toEqual({ k: "a\0b" });
  });
});

describe("encodeParams", () => {
  it("writes booleans as 1/0, skips undefined and null, keeps order", () => {
    expect(encodeParams({ b: true, u: undefined, n: null, c: false, x: 1.5 }).toString()).toBe("b=1&c=0&x=1.5");
  });

  it("refuses non-finite numbers instead of sending `NaN`", () => {
    expect(() => paramText("memory", Number.NaN)).toThrow(/memory must be a finite number/);
  });
});

describe("schema helpers", () => {
  it("translates Perl-only regex syntax and anchors the whole value", () => {
    expect(perlPatternToRegExp("[A-Za-z0-9\\-_\\s]{,8}")?.test("ab cd")).toBe(true);
    expect(perlPatternToRegExp("[A-Za-z0-9\\-_\\s]{,8}")?.test("123456789")).toBe(false);
    expect(perlPatternToRegExp("(?^i:[a-z]+)")?.test("ABC")).toBe(true);
    expect(perlPatternToRegExp("(?^:\\d+)")?.test("12a")).toBe(false);
    expect(perlPatternToRegExp("(")).toBeNull();
  });

  it("splits lists like PVE::Tools::split_list", () => {
    expect(splitList(" a, b;c  d ")).toEqual(["a", "b", "c", "d"]);
    expect(splitList("a b\0c")).toEqual(["a b", "c"]);
  });
});
