import { describe, expect, it } from "vitest";
import { WorkspacePath } from "../../contract/protocol/commands";
import { resolveWorkspacePath } from "../../contract/protocol/workspace-path";

describe("resolveWorkspacePath", () => {
  it.each([
    ["main.py", "/workspace/main.py"],
    ["./a", "/workspace/a"],
    ["a/", "/workspace/a"],
    ["a/b/./c/", "/workspace/a/b/c"],
    ["a//b", "/workspace/a/b"],
    ["src/../lib/x.js", "/workspace/lib/x.js"],
    [".", "/workspace"],
    ["/workspace", "/workspace"],
    ["/workspace/", "/workspace"],
    ["/workspace/a/../b", "/workspace/b"],
    ["/workspace/deep/dir/", "/workspace/deep/dir"],
  ])("resolves %j to %j", (input, expected) => {
    expect(resolveWorkspacePath(input)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ["..", "/"],
    ["../x", "/x"],
    ["a/../../x", "/x"],
    ["/etc/passwd", "/etc/passwd"],
    ["/workspace/../etc", "/etc"],
    ["/workspace/..", "/"],
    ["/workspacefoo", "/workspacefoo"],
    ["/workspacefoo/bar", "/workspacefoo/bar"],
    ["/", "/"],
    ["/tmp/../workspace/../root", "/root"],
  ])("refuses %j, which resolves to %j", (input, resolved) => {
    expect(resolveWorkspacePath(input)).toEqual({
      ok: false,
      reason: `${JSON.stringify(input)} resolves to ${resolved}, outside /workspace`,
    });
  });

  it("refuses the empty string", () => {
    expect(resolveWorkspacePath("")).toEqual({ ok: false, reason: "is empty" });
  });

  it("refuses a path with a NUL byte, even one that would stay inside /workspace", () => {
    expect(resolveWorkspacePath("a\0b")).toEqual({ ok: false, reason: "contains a NUL character" });
    expect(resolveWorkspacePath("/workspace/x\0")).toEqual({ ok: false, reason: "contains a NUL character" });
  });

  it("keeps a name that merely starts with two dots inside /workspace", () => {
    expect(resolveWorkspacePath("..hidden")).toEqual({ ok: true, path: "/workspace/..hidden" });
  });
});

describe("the WorkspacePath schema", () => {
  it("turns a relative path into the normalized absolute one", () => {
    expect(WorkspacePath.parse("src/./app/../main.py")).toBe("/workspace/src/main.py");
  });

  it("reports why a path is refused, prefixed with 'path'", () => {
    const result = WorkspacePath.safeParse("/etc/passwd");
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['path "/etc/passwd" resolves to /etc/passwd, outside /workspace']);
  });

  it("reports an empty path as 'path is empty'", () => {
    expect(WorkspacePath.safeParse("").error?.issues[0]?.message).toBe("path is empty");
  });

  it("refuses a value that is not a string", () => {
    expect(WorkspacePath.safeParse(42).success).toBe(false);
  });
});
