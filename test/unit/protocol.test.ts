import { describe, expect, it } from "vitest";
import { Command, COMMAND_TYPES } from "../../contract/protocol/commands";
import { SessionCloseParams, SessionCreateParams, SessionExecuteParams, SessionListParams } from "../../contract/protocol/session";

/** The first issue of a failed parse, as [path, message]. */
function firstIssue(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  expect(result.success).toBe(false);
  const issue = result.error?.issues[0];
  return [issue?.path, issue?.message];
}

const minimal: Record<string, Record<string, unknown>> = {
  write_file: { type: "write_file", path: "a.txt", content: "x" },
  read_file: { type: "read_file", path: "a.txt" },
  execute_shell: { type: "execute_shell", commandName: "ls" },
  execute_code: { type: "execute_code", code: "print(1)" },
  create_directory: { type: "create_directory", path: "dir" },
  copy_file: { type: "copy_file", sourcePath: "a", destinationPath: "b" },
  delete_file: { type: "delete_file", path: "a" },
  list_directory: { type: "list_directory" },
  run_file: { type: "run_file", path: "main.py" },
};

describe("the Command union", () => {
  it("has the guide's eight command types, and run_file beside them", () => {
    expect([...COMMAND_TYPES].sort()).toEqual(Object.keys(minimal).sort());
    expect(COMMAND_TYPES.slice(0, 8)).toEqual([
      "write_file",
      "read_file",
      "execute_shell",
      "execute_code",
      "create_directory",
      "copy_file",
      "delete_file",
      "list_directory",
    ]);
  });

  it.each(Object.keys(minimal))("accepts a minimal %s command", (type) => {
    expect(Command.parse(minimal[type]).type).toBe(type);
  });

  it.each(Object.keys(minimal))("refuses an unknown key in a %s command", (type) => {
    const [path, message] = firstIssue(Command.safeParse({ ...minimal[type], surprise: 1 }));
    expect(path).toEqual([]);
    expect(message).toContain("surprise");
  });

  it("refuses an unknown type, listing the known ones", () => {
    const [path, message] = firstIssue(Command.safeParse({ type: "format_disk" }));
    expect(path).toEqual(["type"]);
    expect(message).toBe(`type must be one of ${COMMAND_TYPES.join(", ")}`);
  });

  it("refuses a command without a type", () => {
    expect(Command.safeParse({ path: "a" }).success).toBe(false);
  });
});

describe("write_file and read_file", () => {
  it("write_file defaults to mode Create and utf8 encoding, and resolves the path", () => {
    expect(Command.parse(minimal.write_file)).toEqual({
      type: "write_file",
      path: "/workspace/a.txt",
      content: "x",
      mode: "Create",
      encoding: "utf8",
    });
  });

  it.each([
    ["Create", "Create"],
    ["create", "Create"],
    ["CREATE", "Create"],
    ["Append", "Append"],
    ["append", "Append"],
    ["aPpEnD", "Append"],
  ])("reads mode %j as %j", (mode, expected) => {
    expect(Command.parse({ ...minimal.write_file, mode })).toMatchObject({ mode: expected });
  });

  it("refuses any other mode with a message naming both modes", () => {
    const [path, message] = firstIssue(Command.safeParse({ ...minimal.write_file, mode: "Overwrite" }));
    expect(path).toEqual(["mode"]);
    expect(message).toBe('mode must be "Create" or "Append"');
  });

  it("accepts base64 encoding for writing and reading, and refuses others", () => {
    expect(Command.parse({ ...minimal.write_file, encoding: "base64" })).toMatchObject({ encoding: "base64" });
    expect(Command.parse({ ...minimal.read_file, encoding: "base64" })).toMatchObject({ encoding: "base64" });
    expect(firstIssue(Command.safeParse({ ...minimal.read_file, encoding: "hex" }))[0]).toEqual(["encoding"]);
  });

  it("read_file defaults to utf8", () => {
    expect(Command.parse(minimal.read_file)).toEqual({ type: "read_file", path: "/workspace/a.txt", encoding: "utf8" });
  });

  it("refuses a path outside /workspace at the path field", () => {
    const [path, message] = firstIssue(Command.safeParse({ type: "read_file", path: "/etc/passwd" }));
    expect(path).toEqual(["path"]);
    expect(message).toBe('path "/etc/passwd" resolves to /etc/passwd, outside /workspace');
  });

  it("requires content for write_file", () => {
    expect(firstIssue(Command.safeParse({ type: "write_file", path: "a" }))[0]).toEqual(["content"]);
  });
});

describe("file commands", () => {
  it("list_directory defaults its path to /workspace", () => {
    expect(Command.parse(minimal.list_directory)).toEqual({ type: "list_directory", path: "/workspace" });
  });

  it("list_directory resolves a relative path", () => {
    expect(Command.parse({ type: "list_directory", path: "src/" })).toEqual({ type: "list_directory", path: "/workspace/src" });
  });

  it("copy_file resolves both paths and checks each", () => {
    expect(Command.parse(minimal.copy_file)).toEqual({
      type: "copy_file",
      sourcePath: "/workspace/a",
      destinationPath: "/workspace/b",
    });
    expect(firstIssue(Command.safeParse({ ...minimal.copy_file, destinationPath: "../out" }))[0]).toEqual(["destinationPath"]);
    expect(firstIssue(Command.safeParse({ ...minimal.copy_file, sourcePath: "/root/x" }))[0]).toEqual(["sourcePath"]);
  });

  it("create_directory and delete_file refuse escaping paths", () => {
    expect(Command.safeParse({ type: "create_directory", path: "a/../../b" }).success).toBe(false);
    expect(Command.safeParse({ type: "delete_file", path: "/workspace/.." }).success).toBe(false);
  });
});

describe("execute_shell", () => {
  it("defaults args to [] and workingDirectory to /workspace", () => {
    expect(Command.parse(minimal.execute_shell)).toEqual({
      type: "execute_shell",
      commandName: "ls",
      args: [],
      workingDirectory: "/workspace",
    });
  });

  it("resolves a relative working directory and refuses one outside", () => {
    expect(Command.parse({ ...minimal.execute_shell, workingDirectory: "src" })).toMatchObject({ workingDirectory: "/workspace/src" });
    expect(firstIssue(Command.safeParse({ ...minimal.execute_shell, workingDirectory: "/" }))[0]).toEqual(["workingDirectory"]);
  });

  it("refuses an empty program name", () => {
    expect(firstIssue(Command.safeParse({ ...minimal.execute_shell, commandName: "" }))).toEqual([
      ["commandName"],
      "must name a program, like python3",
    ]);
  });

  it("refuses a NUL byte in an argument, at that argument", () => {
    expect(firstIssue(Command.safeParse({ ...minimal.execute_shell, args: ["ok", "bad\0"] }))).toEqual([
      ["args", 1],
      "must not contain a NUL character",
    ]);
  });

  it("accepts environment variables with valid names and refuses others", () => {
    expect(Command.parse({ ...minimal.execute_shell, env: { _A1: "x" } })).toMatchObject({ env: { _A1: "x" } });
    expect(Command.safeParse({ ...minimal.execute_shell, env: { "1A": "x" } }).success).toBe(false);
    expect(Command.safeParse({ ...minimal.execute_shell, env: { "A-B": "x" } }).success).toBe(false);
    expect(Command.safeParse({ ...minimal.execute_shell, env: { A: "x\0" } }).success).toBe(false);
  });

  it("bounds timeoutMs to 1 ms .. 1 hour, integers only", () => {
    for (const ok of [1, 3_600_000]) expect(Command.safeParse({ ...minimal.execute_shell, timeoutMs: ok }).success).toBe(true);
    for (const bad of [0, 3_600_001, 1.5]) expect(Command.safeParse({ ...minimal.execute_shell, timeoutMs: bad }).success).toBe(false);
  });
});

describe("execute_code", () => {
  it("accepts a plain file name and refuses one with a directory", () => {
    expect(Command.parse({ ...minimal.execute_code, fileName: "app.v2.py" })).toMatchObject({ fileName: "app.v2.py" });
    for (const bad of ["../a.py", "dir/a.py", ".hidden", ""]) {
      expect(firstIssue(Command.safeParse({ ...minimal.execute_code, fileName: bad }))).toEqual([
        ["fileName"],
        "must be a plain file name, like main.py",
      ]);
    }
  });

  it("keeps stdin as given", () => {
    expect(Command.parse({ ...minimal.execute_code, stdin: "1 2\n" })).toMatchObject({ stdin: "1 2\n" });
  });
});

describe("session params", () => {
  it("session.create fills the guide's defaults: 30 idle minutes, 120 lifetime minutes; and keeps toolchains warm", () => {
    expect(SessionCreateParams.parse({ language: "python" })).toEqual({
      language: "python",
      idleTimeoutMinutes: 30,
      maxLifetimeMinutes: 120,
      warm: true,
    });
    expect(SessionCreateParams.parse({ language: "python", warm: false })).toMatchObject({ warm: false });
    expect(firstIssue(SessionCreateParams.safeParse({ language: "python", warm: "no" }))[0]).toEqual(["warm"]);
  });

  it("session.create keeps every optional field it knows", () => {
    const params = {
      language: "py",
      idleTimeoutMinutes: 5,
      maxLifetimeMinutes: 10,
      memoryLimitMB: 256,
      cpuShares: 512,
      dockerImage: "python:3.12-slim",
      cpuLimit: 0.5,
      pidsLimit: 64,
      networkEnabled: true,
      timeoutMs: 5000,
      compileTimeoutMs: 20_000,
      outputLimitBytes: 4096,
      warm: false,
    };
    expect(SessionCreateParams.parse(params)).toEqual(params);
  });

  it("session.create bounds memoryLimitMB to integers from 32 to 65536", () => {
    for (const ok of [32, 65_536]) expect(SessionCreateParams.safeParse({ language: "py", memoryLimitMB: ok }).success).toBe(true);
    for (const bad of [31, 65_537, 64.5, "64"]) {
      expect(firstIssue(SessionCreateParams.safeParse({ language: "py", memoryLimitMB: bad }))[0]).toEqual(["memoryLimitMB"]);
    }
  });

  it("session.create refuses an empty language, a non-positive timeout and an empty image", () => {
    expect(firstIssue(SessionCreateParams.safeParse({ language: "" }))).toEqual([["language"], "must name a language, like python"]);
    expect(firstIssue(SessionCreateParams.safeParse({ language: "py", idleTimeoutMinutes: 0 }))[0]).toEqual(["idleTimeoutMinutes"]);
    expect(firstIssue(SessionCreateParams.safeParse({ language: "py", maxLifetimeMinutes: 7 * 24 * 60 + 1 }))[0]).toEqual([
      "maxLifetimeMinutes",
    ]);
    expect(firstIssue(SessionCreateParams.safeParse({ language: "py", dockerImage: "" }))[0]).toEqual(["dockerImage"]);
    expect(firstIssue(SessionCreateParams.safeParse({ language: "py", cpuShares: 1 }))[0]).toEqual(["cpuShares"]);
  });

  it("session.create refuses unknown fields", () => {
    const result = SessionCreateParams.safeParse({ language: "py", memory: 512 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["memory"] });
  });

  it("session.execute parses its command with the command's defaults", () => {
    expect(SessionExecuteParams.parse({ sessionId: "s1", command: { type: "list_directory" } })).toEqual({
      sessionId: "s1",
      command: { type: "list_directory", path: "/workspace" },
    });
  });

  it("session.execute reports a bad nested path under command", () => {
    const result = SessionExecuteParams.safeParse({ sessionId: "s1", command: { type: "delete_file", path: ".." } });
    expect(firstIssue(result)[0]).toEqual(["command", "path"]);
  });

  it("session.execute and session.close need a non-empty sessionId", () => {
    expect(firstIssue(SessionExecuteParams.safeParse({ sessionId: "", command: minimal.read_file }))).toEqual([
      ["sessionId"],
      "must be the sessionId that session.create returned",
    ]);
    expect(firstIssue(SessionCloseParams.safeParse({}))[0]).toEqual(["sessionId"]);
    expect(SessionCloseParams.parse({ sessionId: "s1" })).toEqual({ sessionId: "s1" });
    expect(SessionCloseParams.safeParse({ sessionId: "s1", force: true }).success).toBe(false);
  });

  it("session.list takes no params, or an empty object, and nothing else", () => {
    expect(SessionListParams.parse(undefined)).toEqual({});
    expect(SessionListParams.parse({})).toEqual({});
    expect(SessionListParams.safeParse({ all: true }).success).toBe(false);
  });
});
