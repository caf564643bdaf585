import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** The repository's own TypeScript files under `folder`, each with the repository paths its relative imports name. */
function importsUnder(folder: string): Array<{ file: string; imports: string[] }> {
  const root = resolve(__dirname, "../..");
  const files = readdirSync(join(root, folder), { recursive: true, encoding: "utf8" }).filter((name) => /\.tsx?$/.test(name));
  return files.map((name) => {
    const file = join(folder, name);
    const text = readFileSync(join(root, file), "utf8");
    const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((match) =>
      relative(root, resolve(root, dirname(file), match[1]!)),
    );
    return { file, imports };
  });
}

function crossings(from: string, forbidden: string[]): string[] {
  return importsUnder(from).flatMap(({ file, imports }) =>
    imports.filter((target) => forbidden.some((folder) => target === folder || target.startsWith(`${folder}/`))).map((target) => `${file} → ${target}`),
  );
}

describe("the tree is the architecture", () => {
  it("the editor side imports the contract, never the host", () => {
    expect(crossings("extension", ["host"])).toEqual([]);
    expect(crossings("webview", ["host"])).toEqual([]);
  });

  it("the contract imports neither side", () => {
    expect(crossings("contract", ["host", "extension", "webview"])).toEqual([]);
  });
});
