import { describe, expect, it } from "vitest";
import { asCloudConfig, USER_DATA_MAX_BYTES, userDataProblem } from "./user-data";
import { parseYaml } from "./yaml";

const problem = (text: string) => userDataProblem(text, parseYaml);

describe("user-data", () => {
  it("accepts cloud-config YAML with or without its header", () => {
    expect(problem("#cloud-config\npackages: [htop]\nruncmd:\n  - echo hi\n")).toBeNull();
    expect(problem("packages:\n  - htop\n")).toBeNull();
  });

  it("refuses what is not YAML, saying where", () => {
    expect(problem("packages: [htop\nruncmd: x")).toMatch(/^is not valid YAML: .*\(2:/);
    expect(problem("a: b\n  c: d")).toMatch(/^is not valid YAML/);
  });

  it("refuses YAML that is not a mapping, empty text and comments only", () => {
    expect(problem("- htop\n- git")).toMatch(/must be a cloud-config mapping/);
    expect(problem("just words")).toMatch(/must be a cloud-config mapping/);
    expect(problem("   \n")).toBe("is empty");
    expect(problem("#cloud-config\n# nothing\n")).toBe("holds no settings (only comments)");
  });

  it("refuses other cloud-init formats and control characters", () => {
    expect(problem("#!/bin/bash\necho hi")).toMatch(/must be cloud-config YAML \(it starts with "#!\/bin\/bash"/);
    expect(problem("#include\nhttp://x")).toMatch(/must be cloud-config YAML/);
    expect(problem("MIME-Version: 1.0\nContent-Type: multipart/mixed\n")).toMatch(/MIME/);
    expect(problem("a: b\u0000")).toBe("must not contain control characters");
  });

  it("limits the size in UTF-8 bytes, not characters", () => {
    const fits = `a: "${"x".repeat(USER_DATA_MAX_BYTES - 10)}"`;
    expect(problem(fits)).toBeNull();
    const wide = `a: "${"é".repeat(USER_DATA_MAX_BYTES / 2)}"`; // 2 bytes each
    expect(problem(wide)).toMatch(/^is \d+ bytes; at most 16384 bytes \(16 KiB\)$/);
  });

  it("adds the cloud-config header only when missing", () => {
    expect(asCloudConfig("packages: [htop]")).toBe("#cloud-config\npackages: [htop]\n");
    expect(asCloudConfig("#cloud-config\r\npackages: [htop]\r\n")).toBe("#cloud-config\npackages: [htop]\n");
  });
});
