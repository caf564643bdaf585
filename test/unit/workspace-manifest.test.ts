import { describe, expect, it } from "vitest";
import { contentHash } from "../../contract/content-hash";
import { WorkspaceManifest } from "../../host/mirror/workspace-manifest";

describe("workspace manifest", () => {
  it("holds a file only with the hash it was written with", () => {
    const manifest = new WorkspaceManifest();
    const hash = contentHash(Buffer.from("abc"));
    manifest.written("/workspace/a.py", hash);
    expect(manifest.holds("/workspace/a.py", hash)).toBe(true);
    expect(manifest.holds("/workspace/a.py", contentHash(Buffer.from("abd")))).toBe(false);
    expect(manifest.holds("/workspace/b.py", hash)).toBe(false);
  });

  it("forgets a file whose write failed", () => {
    const manifest = new WorkspaceManifest();
    manifest.written("/workspace/a.py", "h");
    manifest.forget("/workspace/a.py");
    expect(manifest.holds("/workspace/a.py", "h")).toBe(false);
  });

  it("forgets deleted files, and everything under a deleted directory, but not a sibling that shares a prefix", () => {
    const manifest = new WorkspaceManifest();
    for (const path of ["/workspace/app/a.py", "/workspace/app/lib/b.py", "/workspace/application.py", "/workspace/c.py"]) {
      manifest.written(path, "h");
    }
    manifest.deleted(["/workspace/app", "/workspace/c.py"]);
    expect(manifest.size).toBe(1);
    expect(manifest.holds("/workspace/application.py", "h")).toBe(true);
  });
});
