import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { containersOwnedBy } from "./helpers";
import { finished } from "./processes";

/**
 * The README's library examples, run as a user runs them: each `ts` block of "As a library" is a program of its
 * own, importing "codebeaker" from node_modules (this package, built). It must exit 0 and print, in order, every
 * line its `// → …` comments promise.
 */
const ROOT = join(__dirname, "..", "..");
const examples = libraryExamples(readFileSync(join(ROOT, "README.md"), "utf8"));

describe("the README's library examples", () => {
  const project = mkdtempSync(join(tmpdir(), "codebeaker-readme-"));

  beforeAll(() => {
    // An installed package, as `npm install` leaves it: the examples resolve "codebeaker" through its exports.
    mkdirSync(join(project, "node_modules"));
    symlinkSync(ROOT, join(project, "node_modules", "codebeaker"), "dir");
    examples.forEach((example, index) => writeFileSync(join(project, `example-${index + 1}.mts`), example.source));
  });

  it("are there: one per block, each promising some output", () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const example of examples) expect(example.expected.length).toBeGreaterThan(0);
  });

  it("type-check against the package's declarations", () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules", "@types")],
        },
        include: ["*.mts"],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", project], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  examples.forEach((example, index) => {
    it(`example ${index + 1} runs and prints what it promises: ${example.title}`, async () => {
      const file = join(project, `example-${index + 1}.mjs`);
      writeFileSync(file, transformSync(example.source, { loader: "ts", format: "esm", target: "node20" }).code);
      const child = spawn(process.execPath, [file], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
      const { code, stdout, stderr } = await finished(child);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expectInOrder(stdout.split("\n"), example.expected);
      // Its beakers closed, nothing of it is left on the engine.
      expect(await containersOwnedBy(child.pid!)).toEqual([]);
    }, 300_000);
  });
});

interface Example {
  title: string;
  source: string;
  expected: string[];
}

/** The `ts` blocks of the README's "As a library" section, with the lines their `// → …` comments promise. */
function libraryExamples(readme: string): Example[] {
  const section = /^## As a library\n([\s\S]*?)^## /m.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "## As a library" section');
  return [...section.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map(([, source]) => ({
    title: /new (Beaker|Lab)|RuntimeRegistry\.register/.exec(source!)?.[0] ?? "",
    source: source!,
    expected: [...source!.matchAll(/\/\/ → (.*)$/gm)].map(([, line]) => line!.trim()),
  }));
}

/** Each expected line appears in the output, in this order (other lines may come between). */
function expectInOrder(lines: string[], expected: string[]): void {
  let at = 0;
  for (const line of expected) {
    const found = lines.indexOf(line, at);
    expect(found, `"${line}" in order in:\n${lines.join("\n")}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}
