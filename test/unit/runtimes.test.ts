import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LANGUAGE_IDS } from "../../host/protocol/languages";
import type { Runtime } from "../../host/runtimes/manifest";
import { loadRuntime, RuntimeManifestError, RuntimeRegistry } from "../../host/runtimes/registry";

const RUNTIMES = join(__dirname, "..", "..", "runtimes");
const FOLDERS = readdirSync(RUNTIMES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "codebeaker-unit-"));
  temporary.push(dir);
  return dir;
}

const validManifest = {
  language: "snake",
  displayName: "Snake",
  aliases: ["sn"],
  version: "1",
  extensions: [".sn"],
  entryFile: "main.sn",
  run: ["snake", "{file}"],
  errorParser: "snake",
  testProgram: "test.sn",
};

/** A runtime folder with the given runtime.json text (or object) and files. */
function runtimeFolder(manifest: unknown, files: string[] = ["Dockerfile", "test.sn"], dir = tempDir()): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "runtime.json"), typeof manifest === "string" ? manifest : JSON.stringify(manifest));
  for (const file of files) writeFileSync(join(dir, file), "");
  return dir;
}

function loadError(dir: string): RuntimeManifestError {
  try {
    loadRuntime(dir);
  } catch (error) {
    if (error instanceof RuntimeManifestError) return error;
    throw error;
  }
  throw new Error(`${dir} loaded; a RuntimeManifestError was expected`);
}

describe("loadRuntime on the shipped runtimes", () => {
  it("finds a folder for each of the guide's eight languages", () => {
    expect([...FOLDERS].sort()).toEqual([...LANGUAGE_IDS].sort());
  });

  it.each(FOLDERS)("loads runtimes/%s, whose language is its folder name", (folder) => {
    const runtime = loadRuntime(join(RUNTIMES, folder));
    expect(runtime.manifest.language).toBe(folder);
    expect(runtime.directory).toBe(join(RUNTIMES, folder));
    expect(runtime.manifest.run.length).toBeGreaterThan(0);
  });

  it("fills the defaults of optional fields", () => {
    const { manifest } = loadRuntime(join(RUNTIMES, "java"));
    expect(manifest.image).toEqual({ dockerfile: "Dockerfile", fetch: [] });
    expect(manifest.aliases).toEqual([]);
    expect(manifest.env).toEqual({});
  });
});

describe("loadRuntime on broken manifests", () => {
  it("loads the valid manifest these cases start from", () => {
    expect(loadRuntime(runtimeFolder(validManifest)).manifest.language).toBe("snake");
  });

  it("refuses invalid JSON, naming the file and the parse problem", () => {
    const text = '{"language": "snake",';
    const dir = runtimeFolder(text);
    let parseMessage = "";
    try {
      JSON.parse(text);
    } catch (error) {
      parseMessage = (error as Error).message;
    }
    expect(loadError(dir).message).toBe(`${join(dir, "runtime.json")}: ${parseMessage}`);
  });

  it("refuses a folder without runtime.json", () => {
    const dir = tempDir();
    expect(loadError(dir).message).toContain(join(dir, "runtime.json"));
  });

  it("refuses a manifest without a run command, naming run", () => {
    const { run: _run, ...withoutRun } = validManifest;
    const error = loadError(runtimeFolder(withoutRun));
    expect(error.message).toMatch(/→ at run\b/);
  });

  it("refuses an empty run command", () => {
    expect(loadError(runtimeFolder({ ...validManifest, run: [] })).message).toContain("needs at least the program to run");
  });

  it("refuses an extension without its dot, naming the field", () => {
    const error = loadError(runtimeFolder({ ...validManifest, extensions: [".sn", "py"] }));
    expect(error.message).toContain("must look like .py");
    expect(error.message).toContain("extensions[1]");
  });

  it("refuses an unknown key, naming it", () => {
    expect(loadError(runtimeFolder({ ...validManifest, compileCommand: ["x"] })).message).toContain('"compileCommand"');
  });

  it("refuses a language id that is not lowercase", () => {
    expect(loadError(runtimeFolder({ ...validManifest, language: "Snake" })).message).toContain("must be a lowercase id");
  });

  it("refuses a fetched file whose integrity is not an SRI string", () => {
    const fetch = [{ url: "https://example.org/x.tgz", integrity: "md5:abc", to: "x" }];
    expect(loadError(runtimeFolder({ ...validManifest, image: { fetch } })).message).toContain("must be like sha512-<base64>");
  });

  it("refuses a folder without its Dockerfile", () => {
    const dir = runtimeFolder(validManifest, ["test.sn"]);
    expect(loadError(dir).message).toBe(`${join(dir, "runtime.json")}: Dockerfile is missing from ${dir}`);
  });

  it("needs no Dockerfile when the runtime runs in an existing image", () => {
    const dir = runtimeFolder({ ...validManifest, image: { from: "debian:bookworm-slim" } }, ["test.sn"]);
    expect(loadRuntime(dir).manifest.image.from).toBe("debian:bookworm-slim");
  });

  it("looks for the Dockerfile the manifest names", () => {
    const dir = runtimeFolder({ ...validManifest, image: { dockerfile: "Containerfile" } });
    expect(loadError(dir).message).toBe(`${join(dir, "runtime.json")}: Containerfile is missing from ${dir}`);
  });

  it("refuses a folder without its test program", () => {
    const dir = runtimeFolder(validManifest, ["Dockerfile"]);
    expect(loadError(dir).message).toBe(`${join(dir, "runtime.json")}: test.sn is missing from ${dir}`);
  });

  it("refuses an entryNameFromCode pattern that is not a regular expression", () => {
    const dir = runtimeFolder({ ...validManifest, entryNameFromCode: ["class\\s+(\\w+)", "(unclosed"] });
    expect(loadError(dir).message).toBe(`${join(dir, "runtime.json")}: entryNameFromCode (unclosed is not a regular expression`);
  });
});

function builtIn(): RuntimeRegistry {
  return RuntimeRegistry.builtIn(RUNTIMES);
}

function snake(overrides: Partial<typeof validManifest> = {}): Runtime {
  return loadRuntime(runtimeFolder({ ...validManifest, ...overrides }));
}

describe("RuntimeRegistry", () => {
  it("holds the built-in runtimes in the guide's order", () => {
    expect(builtIn().languages()).toEqual([...LANGUAGE_IDS]);
  });

  it.each([
    ["python", "python"],
    ["PY", "python"],
    ["Python3", "python"],
    ["js", "javascript"],
    ["NodeJS", "javascript"],
    ["ts", "typescript"],
    ["golang", "go"],
    ["C#", "csharp"],
    ["Java", "java"],
    ["deno", "deno"],
  ])("finds %j as %s", (name, language) => {
    expect(builtIn().find(name)?.manifest.language).toBe(language);
  });

  it("finds nothing for an unknown name", () => {
    expect(builtIn().find("cobol")).toBeUndefined();
  });

  it.each([
    ["main.py", "python"],
    ["app.ts", "typescript"],
    ["APP.TS", "typescript"],
    ["lib.mts", "typescript"],
    ["view.tsx", "deno"],
    ["index.js", "javascript"],
    ["index.mjs", "javascript"],
    ["src/Main.java", "java"],
    ["main.rs", "rust"],
    ["Program.cs", "csharp"],
  ])("picks the runtime for %s: %s", (file, language) => {
    expect(builtIn().forFile(file)?.manifest.language).toBe(language);
  });

  it("picks no runtime for a file without a known extension", () => {
    expect(builtIn().forFile("Makefile")).toBeUndefined();
    expect(builtIn().forFile("notes.txt")).toBeUndefined();
    expect(builtIn().forFile("dir.py/README")).toBeUndefined();
  });

  it("refuses a runtime whose alias another runtime already has, any case, and stays unchanged", () => {
    const registry = builtIn();
    const error = (() => {
      try {
        registry.register(snake({ aliases: ["sn", "PY"] }));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RuntimeManifestError);
    expect((error as Error).message).toBe('"py" is claimed by both python and snake');
    expect(registry.find("snake")).toBeUndefined();
    expect(registry.find("sn")).toBeUndefined();
    expect(registry.languages()).toEqual([...LANGUAGE_IDS]);
  });

  it("refuses an alias equal to another runtime's language id", () => {
    const registry = new RuntimeRegistry();
    registry.register(snake());
    expect(() => registry.register(snake({ language: "viper", aliases: ["Snake"] }))).toThrow(RuntimeManifestError);
  });

  it("replaces a runtime registered again under the same language, in its place", () => {
    const registry = new RuntimeRegistry();
    const first = snake();
    const other = snake({ language: "viper", aliases: [], extensions: [".vp"] });
    const second = snake({ displayName: "Snake 2" });
    registry.register(first);
    registry.register(other);
    registry.register(second);
    expect(registry.all()).toEqual([second, other]);
    expect(registry.find("snake")).toBe(second);
    expect(registry.forFile("x.sn")).toBe(second);
  });

  it("builtIn refuses a folder whose manifest names another language", () => {
    const root = tempDir();
    runtimeFolder(validManifest, undefined, join(root, "python"));
    expect(() => RuntimeRegistry.builtIn(root)).toThrow('runtimes/python: its manifest says language "snake"');
  });

  it("builtIn skips folders without runtime.json", () => {
    const root = tempDir();
    runtimeFolder(validManifest, undefined, join(root, "snake"));
    mkdirSync(join(root, "notes"));
    expect(RuntimeRegistry.builtIn(root).languages()).toEqual(["snake"]);
  });
});

describe("RuntimeRegistry, replacing and matching", () => {
  it("drops a replaced runtime's old aliases, freeing them for others", () => {
    const registry = builtIn();
    const python = registry.find("python")!;
    registry.register({ ...python, manifest: { ...python.manifest, aliases: ["snake"] } });
    expect(registry.find("py")).toBeUndefined();
    expect(registry.find("snake")?.manifest.aliases).toEqual(["snake"]);
    const javascript = registry.find("javascript")!;
    expect(() => registry.register({ ...javascript, manifest: { ...javascript.manifest, aliases: ["py"] } })).not.toThrow();
    expect(registry.find("py")?.manifest.language).toBe("javascript");
  });

  it("matches an extension declared in capitals, whatever the file's case", () => {
    const registry = builtIn();
    const python = registry.find("python")!;
    registry.register({ ...python, manifest: { ...python.manifest, language: "r", aliases: [], extensions: [".R"] } });
    expect(registry.forFile("main.R")?.manifest.language).toBe("r");
    expect(registry.forFile("main.r")?.manifest.language).toBe("r");
  });
});
