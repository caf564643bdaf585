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
    imports
      .filter((target) => forbidden.some((folder) => target === folder || target.startsWith(`${folder}/`)))
      .map((target) => `${file} → ${target}`),
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

  it("in the host, data flows one way: no part imports a part above it", () => {
    // From the bottom up; a part may import its own layer and those below it.
    const layers = [
      ["contract"],
      ["host/log.ts", "host/version.ts"],
      ["host/diagnostics", "host/runtimes"],
      ["host/isolation"],
      ["host/sessions"],
      ["host/runs"],
      ["host/commands", "host/mirror"],
      ["host/history"],
      ["host/judge"],
      ["host/methods"],
      ["host/transports"],
      ["host/host.ts", "host/mcp", "host/library", "host/cli"],
      ["host/main.ts"],
    ];
    const layerOf = (path: string) =>
      layers.findIndex((parts) => parts.some((part) => path === part || path.startsWith(`${part}/`) || `${path}.ts` === part));
    const upward = importsUnder("host").flatMap(({ file, imports }) =>
      imports.filter((target) => layerOf(target) > layerOf(file)).map((target) => `${file} → ${target}`),
    );
    expect(
      importsUnder("host")
        .filter(({ file }) => layerOf(file) < 0)
        .map(({ file }) => file),
    ).toEqual([]);
    expect(upward).toEqual([]);
  });
});
