import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The Node.js launcher (runtimes/javascript/warm/launch.cjs), on this machine's Node.js: told a cold command line on
 * fd 3 (as cb-runner does, docs/WARM.md), it must give what that line gives, byte for byte. The images' Node.js
 * versions are checked the same way, end to end, by test/integration/warm-node.test.ts.
 */
const RUNTIMES = join(__dirname, "..", "..", "runtimes");
const LAUNCHER = join(RUNTIMES, "javascript", "warm", "launch.cjs");
const PROGRAMS = join(__dirname, "..", "fixtures", "warm-node", "programs");
/** Where the launcher starts: not the programs' folder, which it must change to. */
const elsewhere = mkdtempSync(join(tmpdir(), "codebeaker-launcher-"));
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function outcome(child: ReturnType<typeof spawn>, stdin: string): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  child.stdin!.end(stdin);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `node <args>` in the programs' folder. */
function cold(args: string[], stdin = ""): Promise<Outcome> {
  return outcome(spawn(process.execPath, args, { cwd: PROGRAMS }), stdin);
}

/** The launcher, started with `flags`, then told `node <args>` on fd 3. */
function warm(args: string[], stdin = "", flags: string[] = []): Promise<Outcome> {
  const launcher = spawn(process.execPath, [...flags, LAUNCHER], { cwd: elsewhere, stdio: ["pipe", "pipe", "pipe", "pipe"] });
  const done = outcome(launcher, stdin);
  const go = [`cwd=${PROGRAMS}`, `arg=${process.execPath}`, ...args.map((arg) => `arg=${arg}`)].map((field) => `${field}\0`).join("");
  (launcher.stdio[3] as NodeJS.WritableStream).end(go);
  return done;
}

describe("the Node.js launcher", () => {
  it.each([
    ["nested-throw.js", "an uncaught error in a nested file"],
    ["top-level-throw.js", "an error thrown by the main module's first line"],
    ["exit-code.js", "process.exit(3)"],
    ["exit-code-set.js", "process.exitCode"],
    ["module.mjs", "an ES module that throws"],
    ["rejection.js", "an unhandled rejection"],
    ["syntax-error.js", "a syntax error"],
    ["process-state.js", "argv, execArgv, require.main, __filename, cwd, require.cache"],
  ])("runs %s as `node` does (%s)", async (program) => {
    const args = [program, "one two", "--three"];
    expect(await warm(args)).toEqual(await cold(args));
  });

  it("passes stdin to the program", async () => {
    const warmed = await warm(["stdin-echo.js"], "typed in\n");
    expect(warmed.stdout).toBe("echo: typed in\n");
    expect(warmed).toEqual(await cold(["stdin-echo.js"], "typed in\n"));
  });

  it("runs under the Node.js flags it was started with (TypeScript's --enable-source-maps)", async () => {
    const args = ["--enable-source-maps", "process-state.js"];
    const warmed = await warm(args, "", ["--enable-source-maps"]);
    expect(JSON.parse(warmed.stdout).execArgv).toEqual(["--enable-source-maps"]);
    expect(warmed).toEqual(await cold(args));
  });

  it("runs a line with other flags as that line, in a child", async () => {
    const args = ["--no-deprecation", "process-state.js", "x"];
    const warmed = await warm(args);
    expect(JSON.parse(warmed.stdout).execArgv).toEqual(["--no-deprecation"]);
    expect(warmed).toEqual(await cold(args));
  });

  it("ends at once, saying nothing, when fd 3 closes without a command line", async () => {
    const launcher = spawn(process.execPath, [LAUNCHER], { cwd: elsewhere, stdio: ["pipe", "pipe", "pipe", "pipe"] });
    const done = outcome(launcher, "");
    (launcher.stdio[3] as NodeJS.WritableStream).end();
    expect(await done).toEqual({ code: 0, signal: null, stdout: "", stderr: "" });
  });
});

describe("the warm folders of javascript and typescript", () => {
  it("hold the same launcher (each language's image gets only its own warm folder)", () => {
    const javascript = readFileSync(LAUNCHER);
    const typescript = readFileSync(join(RUNTIMES, "typescript", "warm", "launch.cjs"));
    expect(typescript.equals(javascript)).toBe(true);
  });
});

describe("the Node.js launcher's two copies", () => {
  // A language's warm/ folder is its images' build context, so TypeScript carries the JavaScript launcher too.
  it("are the same file", () => {
    const copy = (language: string) => readFileSync(join(__dirname, "../../runtimes", language, "warm/launch.cjs"), "utf8");
    expect(copy("typescript")).toBe(copy("javascript"));
  });
});
