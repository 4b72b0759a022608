/**
 * The processes the benchmark starts and stops: the PVE fake, the portal (lib/server/start.ts,
 * which runs a worker in-process) and extra workers (lib/jobs/worker-main.ts). Each child's
 * output goes to a file in the run's directory; a child that exits early fails the run with the
 * end of its output.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, createWriteStream, openSync, readFileSync } from "node:fs";
import path from "node:path";

export type Child = { name: string; proc: ChildProcess; logFile: string; stop: () => Promise<void> };


/** The last `lines` lines of a child's output file (for error messages). */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * Starts `<script> …args` under tsx with `env` added to this process's environment; output to
 * `<dir>/<name>.log`, written by the child itself (never through this process, whose event loop
 * is busy generating load: a full pipe would stall the child). With `readStdout` its stdout is a
 * pipe instead (the simulator announces its address there) and is copied to the log.
 */
export function startTsx(name: string, script: string, args: string[], env: Record<string, string>, dir: string, options: { readStdout?: boolean; nodeFlags?: string[] } = {}): Child {
  const logFile = path.join(dir, `${name}.log`);
  const fd = openSync(logFile, "a");
  // `node --import tsx`: one process (the tsx command would start a second one, out of reach of node flags such as --cpu-prof).
  const proc = spawn(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", options.readStdout ? "pipe" : fd, fd] });
  closeSync(fd);
  if (options.readStdout) proc.stdout?.pipe(createWriteStream(logFile, { flags: "a" }));
  const started = Date.now();
  proc.once("exit", (code, signal) => process.stderr.write(`[bench] ${name} exited after ${Math.round((Date.now() - started) / 1000)} s (${signal ?? `code ${code}`})\n`));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { name, proc, logFile, stop };
}

/** Resolves with the first stdout line of `child` that parses as JSON (the simulator's address). */
export function firstJsonLine<T>(child: Child, timeoutMs = 60_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`${child.name} did not start within ${timeoutMs / 1000} s:\n${tail(child.logFile)}`)), timeoutMs);
    child.proc.once("exit", (code) => reject(new Error(`${child.name} exited (${code}):\n${tail(child.logFile)}`)));
    child.proc.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      for (const line of buffer.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const parsed = JSON.parse(line) as T;
          clearTimeout(timer);
          resolve(parsed);
          return;
        } catch {
          // not the line we wait for
        }
      }
    });
  });
}

/** Waits until `url` answers 200 (the portal's health route), or fails with the child's output. */
export async function waitForHealthy(url: string, child: Child, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited (${child.proc.exitCode}):\n${tail(child.logFile)}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${child.name} was not healthy within ${timeoutMs / 1000} s:\n${tail(child.logFile)}`);
}
