import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containersOwnedBy, docker, eventually } from "./helpers";
import { HOST_BUNDLE } from "./processes";

/** The text of a tool's answer (every tool answers in one text block). */
function textOf(result: CallToolResult): string {
  return result.content.map((block) => (block.type === "text" ? block.text : "")).join("");
}

describe("codebeaker mcp: the host's tools for agents, through the MCP SDK's own client", () => {
  const workspace = mkdtempSync(join(tmpdir(), "codebeaker-mcp-"));
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = "";
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;

  beforeAll(async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [HOST_BUNDLE, "mcp", "--workspace", workspace],
      // The SDK passes only a few variables by default; the test's history directory and engine are in the rest.
      env: process.env as Record<string, string>,
      stderr: "pipe",
    });
    transport.stderr!.on("data", (chunk) => (stderr += chunk));
    client = new Client({ name: "codebeaker-test", version: "1.0.0" });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
  });

  it("lists its tools with their input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      [
        "execute_shell",
        "history_compare",
        "history_get",
        "history_list",
        "history_restore_last_success",
        "history_rollback",
        "list_directory",
        "read_file",
        "run_code",
        "run_tests",
        "write_file",
      ].sort(),
    );
    const runCode = tools.find((tool) => tool.name === "run_code")!;
    expect(runCode.inputSchema.required).toEqual(["language"]);
    expect(Object.keys(runCode.inputSchema.properties!).sort()).toEqual(["code", "file", "language", "stdin", "timeoutSeconds", "version"]);
    expect(runCode.outputSchema?.properties).toHaveProperty("errorType");
    const writeFile = tools.find((tool) => tool.name === "write_file")!;
    expect(writeFile.inputSchema.required?.sort()).toEqual(["content", "path"]);
    expect(writeFile.inputSchema.properties!.language).toMatchObject({ type: "string", default: "python" });
  });

  it("runs python code and answers with its output, a summary and the structured result", async () => {
    const result = await call("run_code", { language: "python", code: 'print("hello from mcp")\n' });
    expect(result.isError).toBe(false);
    expect(textOf(result)).toMatch(/^hello from mcp\n── Success · exit 0 · wall [\d.]+ ms/);
    expect(textOf(result)).toContain("history: main.py v1");
    expect(result.structuredContent).toMatchObject({
      status: "Success",
      exitCode: 0,
      stdout: "hello from mcp\n",
      stderr: "",
      errorType: null,
      location: null,
      language: "python",
      runtimeVersion: "3.13",
      file: "main.py",
      version: 1,
    });
    expect((result.structuredContent as { metrics: { wallMs: number } }).metrics.wallMs).toBeGreaterThan(0);
  });

  it("reports a program that failed as an error, with its exception type and line", async () => {
    const result = await call("run_code", { language: "py", code: "x = 1\ny = 0\nprint(x / y)\n" });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      status: "RuntimeError",
      exitCode: 1,
      errorType: "ZeroDivisionError",
      location: { path: "main.py", line: 3 },
      version: 2, // the alias py shares python's session and history
    });
    expect(textOf(result)).toContain("ZeroDivisionError at main.py line 3");
  });

  it("stops a program at its time limit", async () => {
    const result = await call("run_code", { language: "python", file: "spin.py", code: "while True:\n    pass\n", timeoutSeconds: 1 });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ status: "TimeLimitExceeded", file: "spin.py", version: 1 });
  });

  it("keeps files between calls: a file written is read by the next run", async () => {
    const written = await call("write_file", { path: "data/input.txt", content: "41" });
    expect(written.isError).toBeFalsy();
    expect(textOf(written)).toBe("Wrote 2 bytes to /workspace/data/input.txt.");
    const run = await call("run_code", { language: "python", code: "print(int(open('data/input.txt').read()) + 1)\n" });
    expect(textOf(run)).toMatch(/^42\n/);
    expect(run.structuredContent).toMatchObject({ status: "Success", version: 3 });
  });

  it("reads files, lists folders and runs commands in the same workspace", async () => {
    const read = await call("read_file", { path: "/workspace/data/input.txt" });
    expect(textOf(read)).toBe("41");
    expect(read.structuredContent).toMatchObject({ path: "/workspace/data/input.txt", bytes: 2, encoding: "utf8" });

    const listing = textOf(await call("list_directory", {}));
    expect(listing.split("\n")).toEqual(expect.arrayContaining(["/workspace:", "data/", expect.stringMatching(/^main\.py {2}\d+ bytes$/)]));

    const shell = await call("execute_shell", { command: "sh", args: ["-c", "echo $((6 * 7)); ls"], workingDirectory: "data" });
    expect(shell.isError).toBe(false);
    expect(shell.structuredContent).toMatchObject({ status: "Success", exitCode: 0, stdout: "42\ninput.txt\n" });

    const failed = await call("execute_shell", { command: "sh", args: ["-c", "echo oops >&2; exit 3"] });
    expect(failed.isError).toBe(true);
    expect(failed.structuredContent).toMatchObject({ exitCode: 3, stderr: "oops\n" });
    expect(textOf(failed)).toMatch(/\[stderr\]\noops\n── RuntimeError · exit 3/);
  });

  it("answers bad arguments with a failed call that says what is wrong, and keeps serving", async () => {
    const unknown = await call("run_code", { language: "cobol", code: "DISPLAY 'HI'." });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/^Invalid params: language: unknown language "cobol" \(known: python, /);

    const escaping = await call("write_file", { path: "../x", content: "no" });
    expect(escaping.isError).toBe(true);
    expect(textOf(escaping)).toBe('Invalid params: command.path: path "../x" resolves to /x, outside /workspace');

    const missing = await call("read_file", { path: "nope.txt" });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toBe("File not found: /workspace/nope.txt (NotFound)");

    const invalid = await call("run_code", { code: "print(1)" });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toMatch(/Input validation error: .*language/s);

    const nothing = await call("run_code", { language: "python" });
    expect(nothing.isError).toBe(true);
    expect(textOf(nothing)).toContain("Give `code` to run, or `file`");

    expect(textOf(await call("run_code", { language: "python", file: "spin.py", code: "print('still here')" }))).toMatch(/^still here\n/);
  });

  it("lists the runs as versions of their files, shows and compares them", async () => {
    const listed = await call("history_list", { path: "main.py" });
    const runs = (listed.structuredContent as { runs: Array<{ version: number; status: string }> }).runs;
    expect(runs.map((run) => [run.version, run.status])).toEqual([
      [3, "Success"],
      [2, "RuntimeError"],
      [1, "Success"],
    ]);
    expect(textOf(listed).split("\n")[1]).toMatch(/^v2 main\.py RuntimeError exit 1 · ZeroDivisionError at main\.py:3:\d+ · /);
    expect((await call("history_list", {})).structuredContent).toMatchObject({ count: 5 });

    const got = textOf(await call("history_get", { path: "main.py", version: 2 }));
    expect(got).toContain("--- main.py\nx = 1\ny = 0\nprint(x / y)\n");

    const compared = await call("history_compare", { path: "main.py", from: 1, to: 2 });
    expect(textOf(compared)).toContain('-print("hello from mcp")\n+x = 1\n+y = 0\n+print(x / y)');
  });

  it("rolls a file back into the sandbox, where run_code runs it as a new version", async () => {
    const rolled = await call("history_rollback", { path: "main.py", version: 1 });
    expect(rolled.isError).toBeFalsy();
    expect(rolled.structuredContent).toMatchObject({ path: "main.py", version: 1, written: true });
    const rerun = await call("run_code", { language: "python", file: "main.py" });
    expect(rerun.structuredContent).toMatchObject({ status: "Success", stdout: "hello from mcp\n", version: 4 });

    const nowhere = await call("history_rollback", { path: "main.py", version: 99 });
    expect(nowhere.isError).toBe(true);
    expect(textOf(nowhere)).toBe("Invalid params: version: main.py has no version 99");
  });

  it("restores a file's last successful version", async () => {
    await call("run_code", { language: "python", file: "calc.py", code: "print(2 + 2)\n" });
    await call("run_code", { language: "python", file: "calc.py", code: "print(2 +)\n" });
    const restored = await call("history_restore_last_success", { path: "calc.py" });
    expect(restored.structuredContent).toMatchObject({ version: 1, content: "print(2 + 2)\n", written: true });
    expect(textOf(await call("read_file", { path: "calc.py" }))).toBe("print(2 + 2)\n");

    const never = await call("history_restore_last_success", { path: "never-ran.py" });
    expect(never.isError).toBe(true);
    expect(textOf(never)).toMatch(/^Invalid params: path: never-ran\.py has no successful run in workspace file:\/\//);
  });

  it("stops the program of a call the client cancels", async () => {
    const [container] = await containersOwnedBy(transport.pid!); // python's sandbox, the only one so far
    const running = async () => {
      const { Titles, Processes } = await docker.getContainer(container!.slice(1)).top({ ps_args: "-eo pid,args" });
      const column = (Titles as string[]).indexOf("COMMAND");
      // The program's own child: a warm run's interpreter shows its launcher's command line, not forever.py.
      return (Processes as string[][]).some((process) => process[column]?.includes("sleep 600"));
    };
    const cancel = new AbortController();
    const call = client.callTool(
      {
        name: "run_code",
        arguments: {
          language: "python",
          file: "forever.py",
          code: "import subprocess\nsubprocess.run(['sleep', '600'])\n",
          timeoutSeconds: 600,
        },
      },
      undefined,
      { signal: cancel.signal },
    );
    await eventually(running, "the program runs");
    cancel.abort();
    await expect(call).rejects.toThrow(/abort/i);
    await eventually(async () => !(await running()), "the program is stopped");
    // The host records the run once the runner has reported it, which may be just after the process is gone.
    const history = async () => (await client.callTool({ name: "history_list", arguments: { path: "forever.py" } })).structuredContent;
    await eventually(async () => ((await history()) as { count: number }).count > 0, "the cancelled run is recorded");
    expect(await history()).toMatchObject({ runs: [{ version: 1, status: "Cancelled" }] });
  });

  it("runs in a new sandbox when the host says the last one ended (killed with docker kill), and says why", async () => {
    const [container] = await containersOwnedBy(transport.pid!); // python's sandbox, the only one so far
    await docker.getContainer(container!.slice(1)).kill();
    // The host removes a sandbox that died once it has ended its session.
    await eventually(async () => (await containersOwnedBy(transport.pid!)).length === 0, "the host removed the dead sandbox");
    const result = await call("run_code", { language: "python", file: "after.py", code: "import os\nprint(sorted(os.listdir('.')))\n" });
    expect(result.isError).toBe(false);
    expect(textOf(result)).toMatch(/^\['after\.py'\]\n── Success/);
    expect(textOf(result)).toContain(
      "(the earlier python sandbox had ended: its sandbox stopped unexpectedly; this is a new one: files written before are gone)",
    );
    expect(textOf(await call("run_code", { language: "python", file: "after.py" }))).not.toContain("had ended");
  });

  it("checks a program against test cases: a verdict per case, and how many passed", async () => {
    const code = "a, b = map(int, input().split())\nprint(a // b)\n";
    const cases = [
      { name: "divides", stdin: "84 2", expectedOutput: "42" },
      { name: "rounds down", stdin: "7 2", expectedOutput: "3.5" },
      { name: "by zero", stdin: "1 0", expectedOutput: "" },
    ];
    const result = await call("run_tests", { language: "python", file: "divide.py", code, cases });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ status: "WrongAnswer", summary: { passed: 1, failed: 2, total: 3 } });
    const text = textOf(result).split("\n");
    expect(text[0]).toMatch(/^✓ divides \(\d+ ms\)$/);
    expect(text).toContain('  line 1: expected "3.5", got "3"');
    expect(text).toContain("  at divide.py line 2: ZeroDivisionError integer division or modulo by zero");
    expect(text.at(-1)).toBe("1 passed, 2 failed of 3");

    const passing = await call("run_tests", { language: "python", file: "divide.py", cases: [{ stdin: "9 3", expectedOutput: "3\n" }] });
    expect(passing.isError).toBe(false);
    expect(textOf(passing)).toMatch(/^✓ case 1 \(\d+ ms\)\n1 passed, 0 failed of 1$/);

    const code311 = "import sys\nprint(sys.version_info[:2] == (3, 11))\n";
    const onVersion = await call("run_tests", {
      language: "python",
      version: "3.11",
      code: code311,
      file: "which.py",
      cases: [{ expectedOutput: "True" }],
    });
    expect(onVersion.structuredContent).toMatchObject({ status: "Accepted" });
    const unknown = await call("run_tests", { language: "python", version: "2.7", code: code311, cases: [{}] });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/2\.7.*3\.11/s);
  });

  it("runs code in the language version asked for, in that version's own sandbox (after the tests that expect python's to be the only one)", async () => {
    const result = await call("run_code", {
      language: "python",
      version: "3.11",
      code: "import sys\nprint(sys.version_info[:2])\n",
      file: "which.py",
    });
    expect(result.structuredContent).toMatchObject({ status: "Success", stdout: "(3, 11)\n", language: "python", runtimeVersion: "3.11" });
    const unknown = await call("run_code", { language: "python", version: "2.7", code: "print(1)\n" });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('python has no version "2.7" (there are 3.11, 3.13; the default is 3.13)');
  });

  it("logs to stderr only, and removes every sandbox when the client closes", async () => {
    expect(stderr).toContain("MCP server ready");
    const pid = transport.pid!;
    expect(await containersOwnedBy(pid)).not.toEqual([]); // the python sandbox, kept between calls
    await client.close();
    expect(await containersOwnedBy(pid)).toEqual([]);
    expect(() => process.kill(pid, 0)).toThrow(); // and the server has exited
  });
});
