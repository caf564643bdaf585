import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandCommand, placeholders } from "../../host/runtimes/command-line";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { entryFileName } from "../../contract/runtimes/entry-file";

const RUNTIMES = join(__dirname, "..", "..", "runtimes");
const BUILD = "/tmp/codebeaker/build";

describe("placeholders", () => {
  it("gives file, dir, name, stem and build for a file at the workspace root", () => {
    expect(placeholders({ path: "/workspace/main.py" })).toEqual({
      file: "/workspace/main.py",
      dir: "/workspace",
      name: "main",
      stem: "main",
      build: BUILD,
    });
  });

  it("keeps the directories under /workspace in stem, but not in name", () => {
    expect(placeholders({ path: "/workspace/src/app/Main.java" })).toEqual({
      file: "/workspace/src/app/Main.java",
      dir: "/workspace/src/app",
      name: "Main",
      stem: "src/app/Main",
      build: BUILD,
    });
  });

  it("drops only the last extension", () => {
    expect(placeholders({ path: "/workspace/lib/a.test.ts" })).toMatchObject({ name: "a.test", stem: "lib/a.test" });
  });

  it("handles a file without an extension", () => {
    expect(placeholders({ path: "/workspace/tools/Makefile" })).toMatchObject({ name: "Makefile", stem: "tools/Makefile" });
  });
});

describe("expandCommand", () => {
  it("fills each placeholder and leaves other arguments alone", () => {
    expect(expandCommand(["tool", "-o", "{build}/{name}.out", "--in={file}", "-C", "{dir}"], { path: "/workspace/a/b.c" })).toEqual([
      "tool",
      "-o",
      `${BUILD}/b.out`,
      "--in=/workspace/a/b.c",
      "-C",
      "/workspace/a",
    ]);
  });

  it("fills the same placeholder twice in one argument", () => {
    expect(expandCommand(["{name}-{name}"], { path: "/workspace/x.py" })).toEqual(["x-x"]);
  });

  it("expands TypeScript's run command to the compiled file of a nested source", () => {
    const { manifest } = RuntimeRegistry.builtIn(RUNTIMES).find("typescript")!;
    const run = expandCommand(manifest.run, { path: "/workspace/src/index.ts" });
    expect(run[run.length - 1]).toBe(`${BUILD}/src/index.js`);
  });

  it("expands Java's run command to the class name and its build directory", () => {
    const { manifest } = RuntimeRegistry.builtIn(RUNTIMES).find("java")!;
    const run = expandCommand(manifest.run, { path: "/workspace/Hello.java" });
    expect(run[run.length - 1]).toBe("Hello");
    expect(run[run.indexOf("-cp") + 1]?.split(":")).toContain(BUILD);
    expect(run.join(" ")).not.toMatch(/[{}]/);
  });

  it("does not expand placeholders that appear in the file name itself", () => {
    expect(expandCommand(["{file}"], { path: "/workspace/{name}.py" })).toEqual(["/workspace/{name}.py"]);
  });

  it("refuses an unknown placeholder, naming it", () => {
    expect(() => expandCommand(["run", "{output}"], { path: "/workspace/main.py" })).toThrow(/unknown placeholder \{output\}/);
  });

  it("does not change the command it was given", () => {
    const command = ["python3", "{file}"];
    expandCommand(command, { path: "/workspace/main.py" });
    expect(command).toEqual(["python3", "{file}"]);
  });
});

describe("entryFileName", () => {
  const java = RuntimeRegistry.builtIn(RUNTIMES).find("java")!.manifest;
  const python = RuntimeRegistry.builtIn(RUNTIMES).find("python")!.manifest;

  it("names a Java file after its public class", () => {
    expect(entryFileName(java, "public class Hello {\n  public static void main(String[] a) {}\n}")).toBe("Hello.java");
  });

  it("sees through final and abstract before class", () => {
    expect(entryFileName(java, "public final class Solver {}")).toBe("Solver.java");
  });

  it("prefers the public class over an earlier package-private one", () => {
    expect(entryFileName(java, "class Helper {}\npublic class App {}")).toBe("App.java");
  });

  it("uses the first class when none is public", () => {
    expect(entryFileName(java, "class Foo {\n  public static void main(String[] a) {}\n}")).toBe("Foo.java");
  });

  it("falls back to Main.java when there is no class", () => {
    expect(entryFileName(java, "interface Greeter {}")).toBe("Main.java");
  });

  it("gives the named file the extension of the runtime's entry file", () => {
    expect(entryFileName({ ...java, entryFile: "Main.kt" }, "public class Hello {}")).toBe("Hello.kt");
  });

  it("uses main.py for Python, whatever the code says", () => {
    expect(entryFileName(python, "class Hello:\n    pass\n")).toBe("main.py");
  });
});
