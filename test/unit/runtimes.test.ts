import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../contract/runtimes/manifest";
import { loadLanguage, loadRuntime, RuntimeManifestError, RuntimeRegistry } from "../../contract/runtimes/registry";
import { compareVersions, splitLanguageVersion } from "../../contract/runtimes/versions";
// @ts-expect-error: a plain .mjs build script, without declarations
import { languageCondition } from "../../scripts/menu-languages.mjs";

const RUNTIMES = join(__dirname, "..", "..", "runtimes");
const dirs = (root: string) =>
  readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
/**
 * Every runtimes/<language>/<version>/ folder, found by walking the tree (not through the registry); a language's
 * warm/ folder (docs/WARM.md) is not a version.
 */
const VERSION_FOLDERS = dirs(RUNTIMES).flatMap((language) =>
  dirs(join(RUNTIMES, language))
    .filter((name) => name !== "warm")
    .map((version) => [language, version] as const),
);

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "codebeaker-unit-"));
  temporary.push(dir);
  return dir;
}

const languageManifest = {
  language: "snake",
  displayName: "Snake",
  aliases: ["sn"],
  extensions: [".sn"],
  entryFile: "main.sn",
  run: ["snake", "{file}"],
  errorParser: "snake",
};
const versionManifest = { testProgram: "test.sn" };
/** The two files of one version, as a flat manifest: what the broken-manifest cases start from. */
const validManifest = { ...languageManifest, ...versionManifest };
const LANGUAGE_KEYS = new Set([
  "language",
  "displayName",
  "aliases",
  "order",
  "defaultVersion",
  "extensions",
  "entryFile",
  "entryNameFromCode",
  "sourceExclude",
  "permissions",
  "packages",
  "errorParser",
  "run",
  "compile",
  "env",
]);

/**
 * A language folder (language.json) with one version folder (runtime.json and the given files). A flat manifest
 * is split between the two files; a string is written as runtime.json's text.
 */
function runtimeFolder(manifest: unknown, files: string[] = ["Dockerfile", "test.sn"], dir = join(tempDir(), "snake", "1.0")): string {
  mkdirSync(dir, { recursive: true });
  const flat = typeof manifest === "string" ? { ...languageManifest } : (manifest as Record<string, unknown>);
  const language = Object.fromEntries(Object.entries(flat).filter(([key]) => LANGUAGE_KEYS.has(key)));
  const version = Object.fromEntries(Object.entries(flat).filter(([key]) => !LANGUAGE_KEYS.has(key)));
  writeFileSync(join(dir, "..", "language.json"), JSON.stringify(language));
  writeFileSync(join(dir, "runtime.json"), typeof manifest === "string" ? manifest : JSON.stringify(version));
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

describe("the shipped runtimes, one folder per version", () => {
  it("has at least one version folder for each language folder", () => {
    for (const language of dirs(RUNTIMES)) expect(dirs(join(RUNTIMES, language)).length, language).toBeGreaterThan(0);
  });

  it.each(VERSION_FOLDERS)("loads runtimes/%s/%s: its language, its version, its programs", (language, version) => {
    const runtime = loadRuntime(join(RUNTIMES, language, version));
    expect(runtime.manifest.language).toBe(language);
    expect(runtime.manifest.version).toBe(version);
    expect(runtime.directory).toBe(join(RUNTIMES, language, version));
    expect(runtime.manifest.run.length).toBeGreaterThan(0);
    expect(runtime.manifest.featureProgram, "each version shows what is new in it").toBeDefined();
    expect(builtIn().find(language, version)).toEqual(runtime);
  });

  it("holds every version folder, and nothing else", () => {
    const held = builtIn()
      .allVersions()
      .map((runtime) => [runtime.manifest.language, runtime.manifest.version]);
    expect(held.sort()).toEqual(VERSION_FOLDERS.map((pair) => [...pair]).sort());
  });

  it("fills the defaults of optional fields", () => {
    const { manifest } = loadRuntime(join(RUNTIMES, "java", "21"));
    expect(manifest.image).toEqual({ dockerfile: "Dockerfile", fetch: [] });
    expect(manifest.aliases).toEqual([]);
    expect(manifest.env).toEqual({});
    expect(manifest.stable).toBe(true);
  });

  it("has the defaults issue 11 asks for: the newest stable, Java 21", () => {
    const defaults = Object.fromEntries(
      builtIn()
        .all()
        .map((runtime) => [runtime.manifest.language, runtime.manifest.version]),
    );
    expect(defaults).toMatchObject({ python: "3.13", javascript: "24", typescript: "5.9", go: "1.24", rust: "1.85", java: "21" });
  });

  it("builds its images FROM the Debian suites setup-engine.sh creates", () => {
    for (const [language, version] of VERSION_FOLDERS) {
      const dockerfile = readFileSync(join(RUNTIMES, language, version, "Dockerfile"), "utf8");
      expect(dockerfile, `${language}/${version}`).toMatch(/^FROM debian:(bookworm|trixie)-slim\b/m);
    }
  });

  it("package.json's run menus show for exactly the languages of runtimes/ (the build writes them)", () => {
    const manifest = readFileSync(join(__dirname, "..", "..", "package.json"), "utf8");
    const conditions = manifest.match(/resourceLangId =~ \/[^/]*\//g) ?? [];
    expect(conditions.length).toBeGreaterThan(0);
    for (const condition of conditions) expect(condition).toBe(languageCondition(RUNTIMES));
    expect(languageCondition(RUNTIMES)).toBe(`resourceLangId =~ /^(${builtIn().languages().join("|")})$/`);
  });
});

describe("a new version is a new folder", () => {
  it("a version folder copied under a new name is one more version, the newest and so the default", () => {
    const root = tempDir();
    cpSync(join(RUNTIMES, "python"), join(root, "python"), { recursive: true });
    cpSync(join(root, "python", "3.13"), join(root, "python", "3.14"), { recursive: true });
    const registry = RuntimeRegistry.builtIn(root);
    expect(registry.versions("python").map((runtime) => runtime.manifest.version)).toEqual(["3.14", "3.13", "3.11"]);
    expect(registry.find("python")?.directory).toBe(join(root, "python", "3.14"));
    expect(registry.find("py", "3.11")?.directory).toBe(join(root, "python", "3.11"));
  });

  it("a language folder copied under a new name is one more language", () => {
    const root = tempDir();
    cpSync(join(RUNTIMES, "go"), join(root, "go"), { recursive: true });
    cpSync(join(RUNTIMES, "go"), join(root, "goplus"), { recursive: true });
    const file = join(root, "goplus", "language.json");
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...manifest, language: "goplus", aliases: [] }));
    expect(RuntimeRegistry.builtIn(root).languages()).toEqual(["go", "goplus"]);
  });

  it("a version marked not stable is never the default", () => {
    const root = tempDir();
    cpSync(join(RUNTIMES, "python"), join(root, "python"), { recursive: true });
    cpSync(join(root, "python", "3.13"), join(root, "python", "3.15"), { recursive: true });
    const file = join(root, "python", "3.15", "runtime.json");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), stable: false }));
    const registry = RuntimeRegistry.builtIn(root);
    expect(registry.find("python")?.manifest.version).toBe("3.13");
    expect(registry.find("python", "3.15")?.manifest.stable).toBe(false);
  });

  it("refuses a defaultVersion without its folder, naming those there are", () => {
    const root = tempDir();
    cpSync(join(RUNTIMES, "java"), join(root, "java"), { recursive: true });
    rmSync(join(root, "java", "21"), { recursive: true });
    expect(() => RuntimeRegistry.builtIn(root)).toThrow('defaultVersion "21" has no folder (there are 17, 25)');
  });

  it("refuses a language folder without a version folder", () => {
    const root = tempDir();
    mkdirSync(join(root, "snake"));
    writeFileSync(join(root, "snake", "language.json"), JSON.stringify(languageManifest));
    expect(() => loadLanguage(join(root, "snake"))).toThrow("no version folder");
  });

  it("refuses a runtime.json that names its own version: the folder's name is the version", () => {
    const error = loadError(runtimeFolder({ ...validManifest, version: "2.0" }));
    expect(error.message).toMatch(/is the folder's name: leave it out of runtime.json\n {2}→ at version/);
  });
});

describe("version ids", () => {
  it("compares them part by part, numbers as numbers", () => {
    expect(["1.63", "1.85", "1.9"].sort(compareVersions)).toEqual(["1.9", "1.63", "1.85"]);
    expect(["3.9", "3.13", "3.11"].sort(compareVersions)).toEqual(["3.9", "3.11", "3.13"]);
    expect(["24", "20", "22"].sort(compareVersions)).toEqual(["20", "22", "24"]);
    expect(compareVersions("3.13", "3.13")).toBe(0);
  });

  it("reads python@3.11 as a language and its version", () => {
    expect(splitLanguageVersion("python@3.11")).toEqual({ language: "python", version: "3.11" });
    expect(splitLanguageVersion("python")).toEqual({ language: "python" });
    expect(splitLanguageVersion("c#@6.12")).toEqual({ language: "c#", version: "6.12" });
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

  it("refuses a version folder without runtime.json", () => {
    const dir = runtimeFolder(validManifest);
    rmSync(join(dir, "runtime.json"));
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
  it("holds the built-in languages in the guide's order (their order fields)", () => {
    expect(builtIn().languages()).toEqual(["python", "javascript", "typescript", "csharp", "go", "java", "rust", "deno"]);
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
    expect(registry.languages()).toEqual(builtIn().languages());
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
    runtimeFolder(validManifest, undefined, join(root, "python", "1.0"));
    expect(() => RuntimeRegistry.builtIn(root)).toThrow('its language is "snake", and must be its folder\'s name, "python"');
  });

  it("builtIn skips folders without language.json, and version folders without runtime.json", () => {
    const root = tempDir();
    runtimeFolder(validManifest, undefined, join(root, "snake", "1.0"));
    mkdirSync(join(root, "notes"));
    mkdirSync(join(root, "snake", "drafts"));
    expect(RuntimeRegistry.builtIn(root).languages()).toEqual(["snake"]);
    expect(
      RuntimeRegistry.builtIn(root)
        .versions("snake")
        .map((runtime) => runtime.manifest.version),
    ).toEqual(["1.0"]);
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
