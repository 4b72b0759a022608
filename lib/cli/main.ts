import { parseArgs } from "node:util";
import { applyConfig, ConfigError, readConfigFile } from "../config/apply";
import { closePool } from "../db/pool";
import { isAppError } from "../errors";
import { openDatabase, prepareEnvironment, runMigrations } from "../server/bootstrap";
import { createUser } from "../users/create-user";
import { formatReconcileReport, reconcileQuota } from "../quota/reconcile";

const usage = `Usage: npm run hangar -- <command>

Commands:
  apply FILE.json                  Create or update providers, templates, plans and users from a file
  user create --email E --password P [--role user|support|admin] [--plan NAME] [--name NAME]
                                   Create a user
  simulator interrupt VM_NAME      Demo: the simulated Nova Cloud interrupts an interruptible rental
                                   (as when an on-demand customer needs its GPU); the portal must run
  quota reconcile [--fix]          Compare the portal's VM records with the providers, report every
                                   difference and the recomputed usage; --fix corrects the records
  help                             Show this help
`;

type Command = (args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  async apply(args) {
    const file = args[0];
    if (!file) throw new UsageError("apply needs a file: npm run hangar -- apply FILE.json");
    const report = await applyConfig(readConfigFile(file), { email: `cli:apply ${file}` });
    for (const [section, { created, updated }] of Object.entries(report)) {
      console.log(`${section.padEnd(10)} ${created} created, ${updated} updated`);
    }
  },
  async quota(args) {
    const [sub, ...rest] = args;
    if (sub !== "reconcile") throw new UsageError(`unknown quota command "${sub ?? ""}"`);
    const { values } = parseArgs({ args: rest, options: { fix: { type: "boolean", default: false } }, strict: true });
    const report = await reconcileQuota({ fix: values.fix });
    console.log(formatReconcileReport(report, Boolean(values.fix)));
    if (report.unreachable.length) process.exitCode = 1;
  },
  async simulator(args) {
    const [sub, name] = args;
    if (sub !== "interrupt" || !name) throw new UsageError("usage: npm run hangar -- simulator interrupt VM_NAME");
    const { interruptSimulatedVm } = await import("../demo/simulated-providers");
    const { stopBoss } = await import("../jobs/boss");
    try {
      console.log(await interruptSimulatedVm(name));
    } finally {
      await stopBoss();
    }
  },
  async user(args) {
    const [sub, ...rest] = args;
    if (sub !== "create") throw new UsageError(`unknown user command "${sub ?? ""}"`);
    const { values } = parseArgs({
      args: rest,
      options: { email: { type: "string" }, password: { type: "string" }, role: { type: "string" }, plan: { type: "string" }, name: { type: "string" } },
      strict: true,
    });
    if (!values.email || !values.password) throw new UsageError("user create needs --email and --password");
    const user = await createUser(
      { email: values.email, password: values.password, role: (values.role ?? "user") as "user", plan: values.plan, name: values.name },
      { email: "cli" },
    );
    console.log(`Created ${user.role} ${user.email}`);
  },
};

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help") {
    console.log(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage}`);
    return 2;
  }
  prepareEnvironment();
  const database = await openDatabase({ owner: false });
  try {
    await runMigrations(database.url);
    await command(args);
    return Number(process.exitCode ?? 0);
  } finally {
    await closePool();
    await database.stop();
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof ConfigError) console.error(`${error.message}\nNothing was applied.`);
    else if (error instanceof UsageError) console.error(`${error.message}\n\n${usage}`);
    else if (isAppError(error)) console.error(`Error: ${error.message}`);
    else if (error instanceof Error && "code" in error && error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") console.error(`${error.message}\n\n${usage}`);
    else console.error(error);
    process.exit(1);
  });
