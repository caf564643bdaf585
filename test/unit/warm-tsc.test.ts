import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The resident tsc's compiler (runtimes/typescript/warm/tsc-compile.cjs), with this repository's TypeScript: its
 * command-line handling, and its output against the cold tsc's, edit after edit. The image's own TypeScript and
 * @types/node are checked end to end by test/integration/warm-node.test.ts.
 */
const require = createRequire(__filename);
const ROOT = join(__dirname, "..", "..");
const TYPESCRIPT = join(ROOT, "runtimes", "typescript");
const { createResidentCompiler, parseTscLine } = require(join(TYPESCRIPT, "warm", "tsc-compile.cjs"));
const ts = require("typescript");
const TSC = require.resolve("typescript/lib/tsc.js");
const TYPE_ROOTS = join(ROOT, "node_modules", "@types");
/** The states of a workspace, edit after edit: each folder's files are written over the previous state. */
const STATES = join(__dirname, "..", "fixtures", "warm-node", "tsc");
const VERSIONS = readdirSync(TYPESCRIPT).filter((name) => existsSync(join(TYPESCRIPT, name, "runtime.json")));

const versionFile = (version: string) => JSON.parse(readFileSync(join(TYPESCRIPT, version, "runtime.json"), "utf8"));

describe("the typescript warm parts' declaration", () => {
  it.each(VERSIONS)("%s: the resident compiler warms up with the compile line, less its file", (version) => {
    const { compile, warm } = versionFile(version);
    const server = warm.compiler.indexOf("/opt/codebeaker/warm/tsc-server.cjs");
    expect(warm.compiler[0]).toBe("node");
    expect(warm.compiler.slice(server + 1)).toEqual(compile.filter((argument: string) => argument !== "{file}"));
  });
});

describe("the resident tsc's command line", () => {
  const line = (...args: string[]) => parseTscLine(ts, "/workspace", ["tsc", ...args]);

  it("compiles the runtime's compile line itself, its paths made absolute", () => {
    const compile: string[] = versionFile(VERSIONS[0]!).compile;
    const parsed = parseTscLine(
      ts,
      "/workspace",
      compile.map((argument) => argument.replace("{build}", "/tmp/build").replace("{file}", "main.ts")),
    );
    expect(parsed.fallback).toBeUndefined();
    expect(parsed.commandLine.fileNames).toEqual(["main.ts"]);
    expect(parsed.options.outDir).toBe("/tmp/build");
  });

  it.each([
    [["--build"], "--build"],
    [["-p", "."], "--project"],
    [["--watch", "main.ts"], "--watch"],
    [[], "no file: tsc reads tsconfig.json"],
    [["--unknownOption", "main.ts"], "a command-line error, which tsc reports"],
    [["--outFile", "all.js", "main.ts"], "--outFile"],
    [["--noEmitOnError", "main.ts"], "--noEmitOnError"],
    [["--incremental", "main.ts"], "--incremental"],
    [["--locale", "fr", "main.ts"], "--locale"],
    [["--listFiles", "main.ts"], "--listFiles"],
    [["--version"], "--version"],
  ])("leaves `tsc %s` to the cold tsc", (args, reason) => {
    expect(line(...args).fallback).toBe(reason);
  });

  it("leaves any other program to its cold run", () => {
    expect(parseTscLine(ts, "/workspace", ["node", "main.ts"]).fallback).toBe("not tsc");
  });
});

describe("the resident tsc, edit after edit", () => {
  const base = mkdtempSync(join(tmpdir(), "codebeaker-tsc-"));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const states = readdirSync(STATES).sort((a, b) => parseInt(a) - parseInt(b));
  /** States where the user's globals meet a library name or augment a library module: the library is checked again. */
  const libraryRechecked = new Set(["6-redeclares-a-dom-global", "7-augments-a-node-module"]);
  /**
   * A folder with a workspace and a build folder beside it, all at the same depth (the diagnostics name library
   * files relative to the workspace, the source maps name sources relative to the build folder).
   */
  const folderOf = (name: string) => ({ workspace: join(base, name, "workspace"), build: join(base, name, "build") });
  /** The version's compile line, for `main` in `folder`, with this machine's @types. */
  const lineFor = (folder: ReturnType<typeof folderOf>, main: string): string[] =>
    (versionFile(VERSIONS[0]!).compile as string[])
      .map((argument) =>
        argument
          .replace("{build}", folder.build)
          .replace("{file}", main)
          .replace("/usr/local/lib/node_modules/@types", TYPE_ROOTS)
          .replace(/^\/workspace$/, folder.workspace),
      )
      .filter((argument) => argument !== "");
  const resident = folderOf("resident");
  const compiler = createResidentCompiler(ts);
  /** The cold tsc's answer for each state, each state in its own folder (computed side by side, up front). */
  const cold = new Map<string, { stdout: string; status: number | null; files: Record<string, string> }>();

  beforeAll(async () => {
    mkdirSync(resident.workspace, { recursive: true });
    compiler.warm(resident.workspace, lineFor(resident, ""));
    await Promise.all(
      states.map((state, index) => {
        const folder = folderOf(`cold-${index}`);
        for (const earlier of states.slice(0, index + 1)) cpSync(join(STATES, earlier), folder.workspace, { recursive: true });
        const line = lineFor(folder, join(folder.workspace, "main.ts"));
        return new Promise<void>((resolve, reject) => {
          const tsc = spawn(process.execPath, [TSC, ...line.slice(1)], { cwd: folder.workspace });
          let stdout = "";
          tsc.stdout.on("data", (chunk) => (stdout += chunk));
          tsc.on("error", reject);
          tsc.on("close", (status) => {
            cold.set(state, { stdout, status, files: filesIn(folder.build) });
            resolve();
          });
        });
      }),
    );
  }, 180_000);

  it.each(states)(
    "%s: the same diagnostics, exit code and emitted files as the cold tsc",
    (state) => {
      cpSync(join(STATES, state), resident.workspace, { recursive: true });
      rmSync(resident.build, { recursive: true, force: true });
      let stdout = "";
      const previous = process.cwd();
      process.chdir(resident.workspace); // as the server does for each request: tsc resolves relative names against it
      const result = (() => {
        try {
          return compiler.compile(
            resident.workspace,
            lineFor(resident, join(resident.workspace, "main.ts")),
            (text: string) => (stdout += text),
          );
        } finally {
          process.chdir(previous);
        }
      })();

      const expected = cold.get(state)!;
      expect(result.fallback).toBeUndefined();
      expect(stdout).toBe(expected.stdout);
      expect(result.exit).toBe(expected.status);
      expect(filesIn(resident.build)).toEqual(expected.files);
      expect(result.libraryChecked > 0).toBe(libraryRechecked.has(state));
    },
    60_000,
  );
});

/** Every file under `directory`, by relative path, with its content. */
function filesIn(directory: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(directory)) return files;
  for (const name of readdirSync(directory, { recursive: true }) as string[]) {
    const path = join(directory, name);
    if (statSync(path).isFile()) files[relative(directory, path)] = readFileSync(path, "utf8");
  }
  return files;
}
