import { describe, expect, it } from "vitest";
import { Diagnostic, parseDiagnostics, PARSERS, ToolOutput } from "../../host/diagnostics";
import { workspacePath } from "../../host/diagnostics/paths";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { caseNames, readOutput } from "../fixtures/diagnostics/fixtures";

const registry = RuntimeRegistry.builtIn();
const parserIds = Object.keys(PARSERS);
const cases = registry.all().flatMap((runtime) =>
  caseNames(runtime.manifest.language).map((name) => ({
    language: runtime.manifest.language,
    name,
    parser: runtime.manifest.errorParser,
  })),
);
const STAGES = ["compile", "run"] as const;

function both(text: string, stage: ToolOutput["stage"]): ToolOutput {
  return { stage, cwd: "/workspace", stdout: text, stderr: text };
}

function expectWellFormed(diagnostics: Diagnostic[]): void {
  const inWorkspace = (path: string) => path !== "" && !path.startsWith("/") && !path.split("/").includes("..");
  for (const d of diagnostics) {
    expect(inWorkspace(d.path), d.path).toBe(true);
    expect(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.column) && d.column >= 1).toBe(true);
    if (d.endColumn !== undefined) expect(d.endColumn).toBeGreaterThan(d.column);
    if (d.endLine !== undefined) expect(d.endLine).toBeGreaterThanOrEqual(d.line);
    expect(["error", "warning", "info"]).toContain(d.severity);
    for (const r of d.related) {
      expect(inWorkspace(r.path), r.path).toBe(true);
      expect(r.line >= 1 && r.column >= 1).toBe(true);
    }
  }
}

describe("the diagnostics registry", () => {
  it("has the parser every runtime's manifest names", () => {
    for (const runtime of registry.all()) expect(parserIds).toContain(runtime.manifest.errorParser);
  });

  it("has at least four captured cases for every runtime", () => {
    for (const runtime of registry.all()) expect(caseNames(runtime.manifest.language).length).toBeGreaterThanOrEqual(4);
  });

  it("answers [] for an unknown parser, including names of Object's own properties", () => {
    const output = readOutput("python", "nested-call");
    for (const id of ["cobol", "", "__proto__", "constructor", "toString"]) {
      expect(parseDiagnostics(id, output)).toEqual([]);
    }
  });
});

describe("workspacePath", () => {
  it("maps the ways tools name a file in /workspace to the path under it", () => {
    expect(workspacePath("/workspace/main.py", "/workspace")).toBe("main.py");
    expect(workspacePath("file:///workspace/pkg/util.ts", "/workspace")).toBe("pkg/util.ts");
    expect(workspacePath("file:///workspace/my%20file.ts", "/workspace")).toBe("my file.ts");
    expect(workspacePath("./main.go", "/workspace")).toBe("main.go");
    expect(workspacePath("mathx/mathx.go", "/workspace")).toBe("mathx/mathx.go");
    expect(workspacePath("/workspace/a/../b.js", "/workspace")).toBe("b.js");
  });

  it("resolves a relative path from the directory the tool ran in, an absolute one as it is", () => {
    expect(workspacePath("./main.go", "/workspace/go")).toBe("go/main.go");
    expect(workspacePath("main.ts", "/workspace/ts")).toBe("ts/main.ts");
    expect(workspacePath("shapes/Circle.java", "/workspace/java")).toBe("java/shapes/Circle.java");
    expect(workspacePath("../lib/util.go", "/workspace/go/cmd")).toBe("go/lib/util.go");
    expect(workspacePath("/workspace/py/main.py", "/workspace/go")).toBe("py/main.py");
    expect(workspacePath("../../etc/passwd", "/workspace/go")).toBeNull();
  });

  it("refuses what is outside /workspace or not a file", () => {
    for (const reported of [
      "/usr/lib/python3.11/json/decoder.py",
      "/workspace",
      "/workspaces/x.py",
      "../etc/passwd",
      "/workspace/../etc/passwd",
      "node:internal/modules/cjs/loader",
      "ext:deno_fetch/26_fetch.js",
      "<anonymous>",
      "<frozen runpy>",
      "",
    ]) {
      expect(workspacePath(reported, "/workspace"), reported).toBeNull();
    }
  });
});

describe("every parser on unexpected text", () => {
  const unrelated = [
    "Hello, world!",
    "Error: something went wrong",
    "error: could not compile `main` due to previous error",
    "Traceback (most recent call last):",
    "    at the end of the day",
    "panic: not really",
    "main.py: line : nothing",
    "\u0000\u0001\ufffd \t\r",
  ].join("\n");

  for (const id of parserIds) {
    for (const stage of STAGES) {
      it(`${id} (${stage}) finds nothing in empty or unrelated output`, () => {
        expect(parseDiagnostics(id, both("", stage))).toEqual([]);
        expect(parseDiagnostics(id, both("\n\n\n", stage))).toEqual([]);
        expect(parseDiagnostics(id, both(unrelated, stage))).toEqual([]);
      });
    }
  }
});

describe("every parser on truncated output", () => {
  for (const { language, name, parser } of cases) {
    it(`${parser} does not throw on ${language}/${name} cut anywhere, and gives well-formed diagnostics`, () => {
      const output = readOutput(language, name);
      for (const stream of ["stdout", "stderr"] as const) {
        const text = output[stream];
        for (let cut = 0; cut <= text.length; cut++) {
          const diagnostics = parseDiagnostics(parser, { ...output, [stream]: text.slice(0, cut) });
          expectWellFormed(diagnostics);
        }
      }
    });
  }

  const secondErrors: Array<[language: string, name: string, stream: "stdout" | "stderr", marker: string]> = [
    ["typescript", "several-errors", "stdout", "main.ts(6,7)"],
    ["csharp", "several-errors", "stderr", "/workspace/Program.cs(7,27)"],
    ["go", "several-errors", "stderr", "./main.go:9:14"],
    ["java", "several-errors", "stderr", "/workspace/Main.java:4:"],
    ["rust", "several-errors", "stderr", "error[E0308]"],
    ["deno", "type-check", "stderr", "TS2345"],
  ];
  for (const [language, name, stream, marker] of secondErrors) {
    it(`keeps the errors before the cut in ${language}/${name}`, () => {
      const output = readOutput(language, name);
      const full = parseDiagnostics(registry.find(language)?.manifest.errorParser ?? "", output);
      const cut = { ...output, [stream]: output[stream].slice(0, output[stream].indexOf(marker)) };
      expect(full.length).toBeGreaterThan(1);
      expect(parseDiagnostics(registry.find(language)?.manifest.errorParser ?? "", cut)).toEqual(full.slice(0, 1));
    });
  }
});

describe("every parser on large, adversarial output", () => {
  const megabyte = 1 << 20;
  const adversarial = [
    "a".repeat(megabyte),
    ":1:".repeat(megabyte / 3),
    `thread 'main' panicked at '${"', x:1:".repeat(megabyte / 7)}`,
    `\tat ${"a.".repeat(megabyte / 2)}`,
    `    at ${"f (".repeat(megabyte / 3)}`,
    `  File "${'", line 1'.repeat(megabyte / 9)}`,
    `Exception in thread "main" x\n${"\tat a.b(A.java:1)\n".repeat(megabyte / 18)}`,
    `/workspace/x.js:1\n${"^ ".repeat(megabyte / 2)}x\n`,
    `${"^".repeat(megabyte)} x`,
    `${"~ ".repeat(megabyte / 2)}|`,
    `${"Main.java:1: error: x\n".repeat(megabyte / 22)}`,
  ];
  // Each parse must end well within the test's timeout: a regular expression that backtracks would not.
  for (const id of parserIds) {
    it(`${id} reads them in linear time`, () => {
      for (const text of adversarial) {
        for (const stage of STAGES) expect(Array.isArray(parseDiagnostics(id, both(text, stage)))).toBe(true);
      }
    });
  }
});
