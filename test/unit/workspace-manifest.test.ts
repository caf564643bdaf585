import { describe, expect, it } from "vitest";
import { contentHash, WorkspaceManifest } from "../../host/sessions/workspace-manifest";

const sum = (checksum: string) => ({ bytes: 3, checksum });

describe("workspace manifest", () => {
  it("expects a file back only for content with the hash it was written with", () => {
    const manifest = new WorkspaceManifest();
    const hash = contentHash(Buffer.from("abc"));
    manifest.written("/workspace/a.py", hash, sum("1111"));
    expect(manifest.expected("/workspace/a.py", hash)).toEqual(sum("1111"));
    expect(manifest.expected("/workspace/a.py", contentHash(Buffer.from("abd")))).toBeUndefined();
    expect(manifest.expected("/workspace/b.py", hash)).toBeUndefined();
  });

  it("forgets a file whose write failed", () => {
    const manifest = new WorkspaceManifest();
    manifest.written("/workspace/a.py", "h", sum("1"));
    manifest.forget("/workspace/a.py");
    expect(manifest.expected("/workspace/a.py", "h")).toBeUndefined();
  });

  it("forgets deleted files, and everything under a deleted directory, but not a sibling that shares a prefix", () => {
    const manifest = new WorkspaceManifest();
    for (const path of ["/workspace/app/a.py", "/workspace/app/lib/b.py", "/workspace/application.py", "/workspace/c.py"]) {
      manifest.written(path, "h", sum("1"));
    }
    manifest.deleted(["/workspace/app", "/workspace/c.py"]);
    expect(manifest.size).toBe(1);
    expect(manifest.expected("/workspace/application.py", "h")).toBeDefined();
  });
});
