import { describe, expect, it } from "vitest";
import { BaseRuntime, CodeBeakerError } from "../../host/library";
import { RuntimeRegistry } from "../../host/library/runtime-registry";

describe("RuntimeRegistry.register", () => {
  it("adds a language of an image and a command line, and names it among the languages", () => {
    RuntimeRegistry.register("unit-shell", {
      image: "debian:bookworm-slim",
      entryFile: "main.sh",
      run: ["sh", "{file}"],
      aliases: ["ush"],
    });
    expect(RuntimeRegistry.languages()).toContain("unit-shell");
    expect(RuntimeRegistry.knows("ush")).toBe(true);
  });

  it("refuses a runtime that is not one, saying which field is wrong", () => {
    expect(() => RuntimeRegistry.register("broken", { image: "x", entryFile: "main.b", run: [] })).toThrow(
      /register\("broken"\)[\s\S]*run/,
    );
  });

  it("refuses a name another language already answers to, when it is registered", () => {
    expect(() => RuntimeRegistry.register("snake", { image: "x", entryFile: "main.sn", run: ["sn"], aliases: ["py"] })).toThrow(
      /"py" is claimed by both python and snake/,
    );
    expect(RuntimeRegistry.knows("snake")).toBe(false);
  });
});

describe("a registered class (the seed's BaseRuntime)", () => {
  class EchoRuntime extends BaseRuntime {
    override aliases = ["echo-lang"];
    getRunCommand(entry: string) {
      return ["sh", entry];
    }
    override getCompileCommand(entry: string) {
      return ["sh", "-n", entry];
    }
  }

  it("is registered by class, with defaults for what it does not say", () => {
    RuntimeRegistry.register("unit-echo", EchoRuntime);
    expect(RuntimeRegistry.knows("echo-lang")).toBe(true);
    expect(RuntimeRegistry.find("unit-echo")?.manifest).toMatchObject({
      entryFile: "main.unitecho",
      extensions: [".unitecho"],
      image: { from: "debian:bookworm-slim" },
      run: ["sh", "/workspace/main.unitecho"],
    });
  });

  it("gives its command lines for each file a beaker runs", () => {
    RuntimeRegistry.register("unit-echo", EchoRuntime);
    expect(RuntimeRegistry.commandsFor("unit-echo", "/workspace/task/run.sh")).toEqual({
      run: ["sh", "/workspace/task/run.sh"],
      compile: ["sh", "-n", "/workspace/task/run.sh"],
    });
    // A runtime that is data has its command lines filled by the host.
    expect(RuntimeRegistry.commandsFor("python", "/workspace/main.py")).toBeUndefined();
  });

  it("is refused when it is not a runtime, or its hook gives no command line, saying which", () => {
    class NotARuntime {}
    expect(() => RuntimeRegistry.register("unit-bad", NotARuntime as never)).toThrow(
      /register\("unit-bad"\): a runtime is a class extending BaseRuntime/,
    );
    class Empty extends BaseRuntime {
      getRunCommand() {
        return "my-interpreter" as unknown as string[];
      }
    }
    const failure = (() => {
      try {
        RuntimeRegistry.register("unit-empty", Empty);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(CodeBeakerError);
    expect(failure).toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringMatching(/getRunCommand must return a command line, like \["my-interpreter", entry\] \(got "my-interpreter"\)/),
    });
    expect(RuntimeRegistry.knows("unit-empty")).toBe(false);
  });

  it("refuses a data runtime with a field it does not know", () => {
    expect(() => RuntimeRegistry.register("unit-typo", { image: "x", entryFile: "m.t", run: ["t"], entry_file: "m.t" } as never)).toThrow(
      /unknown option "entry_file" \(did you mean entryFile\?\)/,
    );
  });
});
