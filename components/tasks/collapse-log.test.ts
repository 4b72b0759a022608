import { describe, expect, it } from "vitest";
import { collapseLog, lineShape } from "./collapse-log";

describe("collapseLog", () => {
  it("folds a clone's transferred lines into one run, keeping other lines apart", () => {
    const lines = ["create full clone of drive scsi0", ...Array.from({ length: 100 }, (_, i) => `transferred ${i}.0 GiB of 32.0 GiB (${i}.00%)`), "TASK OK"];
    const groups = collapseLog(lines, (l) => l);
    expect(groups.map((g) => g.kind)).toEqual(["line", "run", "line"]);
    const run = groups[1]!;
    expect(run.kind === "run" && run.lines.length).toBe(100);
    expect(run.kind === "run" && run.last).toBe("transferred 99.0 GiB of 32.0 GiB (99.00%)");
  });

  it("leaves short runs and lines without numbers alone", () => {
    expect(collapseLog(["a 1", "a 2", "b", "b", "b", "b"], (l) => l).every((g) => g.kind === "line")).toBe(true);
    expect(lineShape("transferred 1.5 GiB (4.01%)")).toBe("transferred # GiB (#%)");
  });
});
