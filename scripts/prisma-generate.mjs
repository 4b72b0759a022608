// Runs `prisma generate` without the native schema engine, which the Prisma CLI would
// otherwise download from a host this project's machines cannot reach. Generation itself
// needs no engine (the client is TypeScript plus a bundled query compiler), but the CLI
// insists that an engine file exists, so point it at any existing file.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const cli = "node_modules/prisma/build/index.js";
if (!existsSync(cli)) {
  // e.g. `npm install --package-lock-only`: nothing installed, nothing to generate.
  console.log("prisma-generate: the Prisma CLI is not installed; skipped");
  process.exit(0);
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync(process.execPath, [cli, "generate"], {
  stdio: "inherit",
  env,
});
process.exit(result.status ?? 1);
