import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunSettings } from "../../extension/configuration";
import { SessionMirror } from "../../extension/mirror/mirror";
import { hashOf, scanFolder, ScanOptions } from "../../extension/mirror/workspace-files";
import { sessionParams } from "../../extension/session-params";

/** A folder with the given files (paths → content); returns its path. */
function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "codebeaker-mirror-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const options = (overrides: Partial<ScanOptions> = {}): ScanOptions => ({
  exclude: [".git/"],
  maxFileBytes: 1024 * 1024,
  maxFiles: 1000,
  openText: new Map(),
  ...overrides,
});

const paths = async (root: string, scan: Partial<ScanOptions> = {}) => (await scanFolder(root, options(scan))).files.map((f) => f.path);

describe("the folder scan", () => {
  it("takes every file, with paths relative to the folder, and leaves .git out by default", async () => {
    const root = folder({ "main.py": "x", "pkg/util.py": "y", ".git/config": "z", "pkg/deep/a.txt": "a" });
    expect(await paths(root)).toEqual(["main.py", "pkg/deep/a.txt", "pkg/util.py"]);
  });

  it("respects .gitignore files, a nested one below its own directory only", async () => {
    const root = folder({
      ".gitignore": "node_modules/\n*.log\n",
      "app.js": "x",
      "debug.log": "x",
      "node_modules/lib/index.js": "x",
      "sub/.gitignore": "secret.txt\n",
      "sub/secret.txt": "x",
      "sub/keep.txt": "x",
      "secret.txt": "kept: the nested rule is below sub/ only",
    });
    expect(await paths(root)).toEqual([".gitignore", "app.js", "secret.txt", "sub/.gitignore", "sub/keep.txt"]);
  });

  it("adds the exclude setting's patterns to the .gitignore rules", async () => {
    const root = folder({ "a.py": "x", "build/out.bin": "x", "notes.md": "x" });
    expect(await paths(root, { exclude: [".git/", "build/", "*.md"] })).toEqual(["a.py"]);
  });

  it("uses the text of unsaved editors instead of the file on disk", async () => {
    const root = folder({ "main.py": "print('saved')" });
    const scan = await scanFolder(root, options({ openText: new Map([[join(root, "main.py"), "print('unsaved')"]]) }));
    expect(scan.files[0]!.content.toString()).toBe("print('unsaved')");
    expect(scan.files[0]!.hash).toBe(hashOf(Buffer.from("print('unsaved')")));
  });

  it("follows a link only to a file inside the folder; links out, and links to directories, are left out", async () => {
    const outside = folder({ "secret.txt": "outside" });
    const root = folder({ "real.py": "inside", "dir/x.py": "x" });
    symlinkSync(join(root, "real.py"), join(root, "alias.py"));
    symlinkSync(join(outside, "secret.txt"), join(root, "escape.txt"));
    symlinkSync(join(root, "dir"), join(root, "dirlink"));
    symlinkSync("/etc", join(root, "etc"));
    const scan = await scanFolder(root, options());
    expect(scan.files.map((f) => [f.path, f.content.toString()])).toEqual([
      ["alias.py", "inside"],
      ["dir/x.py", "x"],
      ["real.py", "inside"],
    ]);
    expect(scan.skipped).toEqual(
      expect.arrayContaining([
        { path: "escape.txt", reason: "a link out of the folder" },
        { path: "dirlink", reason: "a link to a directory" },
        { path: "etc", reason: "a link out of the folder" },
      ]),
    );
  });

  it("skips files over the size limit and past the file count, saying so", async () => {
    const root = folder({ "big.bin": "x".repeat(2000), "a.txt": "a", "b.txt": "b", "c.txt": "c" });
    const scan = await scanFolder(root, options({ maxFileBytes: 1000, maxFiles: 2 }));
    expect(scan.files.map((f) => f.path)).toEqual(["a.txt", "b.txt"]);
    expect(scan.skipped).toEqual([
      { path: "big.bin", reason: "larger than 1 KB" },
      { path: "c.txt", reason: "over 2 files" },
    ]);
  });
});

describe("a session's mirror", () => {
  const file = (path: string, content: string) => ({ path, content: Buffer.from(content), hash: hashOf(Buffer.from(content)) });

  it("sends everything once, then only what changed, and the deletions", () => {
    const mirror = new SessionMirror();
    const first = mirror.changes([file("a.py", "1"), file("b.py", "2")]);
    expect(first.write.map((f) => f.path)).toEqual(["a.py", "b.py"]);
    mirror.confirm(first, { written: 2, deleted: 0, bytes: 2, failed: [] });
    expect(mirror.changes([file("a.py", "1"), file("b.py", "2")])).toEqual({ write: [], delete: [] });
    const edit = mirror.changes([file("a.py", "1 edited"), file("c.py", "3")]);
    expect({ write: edit.write.map((f) => f.path), delete: edit.delete }).toEqual({ write: ["a.py", "c.py"], delete: ["b.py"] });
  });

  it("sends a file again when the host could not write it", () => {
    const mirror = new SessionMirror();
    const changes = mirror.changes([file("a.py", "1"), file("b.py", "2")]);
    mirror.confirm(changes, { written: 1, deleted: 0, bytes: 1, failed: [{ path: "/workspace/b.py", error: "NoSpace" }] });
    expect(mirror.changes([file("a.py", "1"), file("b.py", "2")]).write.map((f) => f.path)).toEqual(["b.py"]);
  });

  it("asks the host for paths under /workspace, content in base64", () => {
    const mirror = new SessionMirror();
    const request = mirror.request("s1", { write: [file("pkg/a.py", "é")], delete: ["old.py"] });
    expect(request).toEqual({
      sessionId: "s1",
      write: [{ path: "pkg/a.py", content: Buffer.from("é").toString("base64"), encoding: "base64" }],
      delete: ["old.py"],
    });
  });
});

describe("session params from settings", () => {
  const settings: RunSettings = {
    isolation: "auto",
    memoryMb: 256,
    cpus: 2,
    timeoutMs: 5000,
    network: false,
    warm: true,
    languages: { python: { run: ["python3", "-O", "{file}"] }, go: { image: "golang:1.22", compile: null } },
    mirrorExclude: [],
    maxFileBytes: 1,
  };

  it("carry the limits, and the language's image and command lines", () => {
    expect(sessionParams("python", settings, true)).toEqual({
      language: "python",
      memoryLimitMB: 256,
      cpuLimit: 2,
      timeoutMs: 5000,
      networkEnabled: false,
      warm: true,
      isolation: "auto",
      commands: { compile: undefined, run: ["python3", "-O", "{file}"] },
    });
    expect(sessionParams("go", settings, true)).toMatchObject({ dockerImage: "golang:1.22", commands: { compile: null } });
    expect(sessionParams("rust", settings, true)).not.toHaveProperty("commands");
  });

  it("carry codebeaker.warm: off, every toolchain starts cold", () => {
    expect(sessionParams("python", { ...settings, warm: false }, true)).toMatchObject({ warm: false });
    expect(sessionParams("python", { ...settings, warm: false }, false)).toMatchObject({ warm: false });
  });

  it("carry the language's version from codebeaker.languages.<lang>.version", () => {
    const withVersion = { ...settings, languages: { ...settings.languages, java: { version: "17" } } };
    expect(sessionParams("java", withVersion, true)).toMatchObject({ language: "java", version: "17" });
    expect(sessionParams("python", withVersion, true)).not.toHaveProperty("version");
  });

  it("keep Restricted Mode to a container: auto and process become docker, gvisor stays", () => {
    expect(sessionParams("python", settings, false).isolation).toBe("docker");
    expect(sessionParams("python", { ...settings, isolation: "process" }, false).isolation).toBe("docker");
    expect(sessionParams("python", { ...settings, isolation: "gvisor" }, false).isolation).toBe("gvisor");
    expect(sessionParams("python", { ...settings, isolation: "process" }, true).isolation).toBe("process");
  });
});
