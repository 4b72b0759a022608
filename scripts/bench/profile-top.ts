/**
 * The functions that took the most CPU in a V8 CPU profile (`node --cpu-prof`, written by
 * `npm run bench -- --profile` into the run directory): self time per function and per package.
 *
 *   npx tsx scripts/bench/profile-top.ts FILE.cpuprofile [--top 30]
 */
import { readFileSync } from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const file = process.argv[2];
if (!file) {
  console.error("usage: npx tsx scripts/bench/profile-top.ts FILE.cpuprofile [--top 30]");
  process.exit(2);
}
const top = Number(process.argv[process.argv.indexOf("--top") + 1]) || 30;
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** A package name (node_modules/<pkg>), "node:internal", or the project file. */
function where(url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (!url) return "(native/idle)";
  if (url.startsWith("node:")) return "node:internal";
  return url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "");
}

const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const key = `${node.callFrame.functionName || "(anonymous)"} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  pkg.set(where(node.callFrame.url), (pkg.get(where(node.callFrame.url)) ?? 0) + us);
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
print("by package or file (self time)", pkg);
print("by function (self time)", fn);
