import type Docker from "dockerode";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type ContextFile, contextHash } from "../../host/isolation/docker/build-context";
import { matchesIntegrity } from "../../host/isolation/docker/fetch-file";
import { guideImageName, guideImageNames, ImageBuilder } from "../../host/isolation/docker/images";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { isImageReference } from "../../contract/protocol/image-reference";
import { SessionCreateParams } from "../../contract/protocol/session";

const files: ContextFile[] = [
  { name: "Dockerfile", content: Buffer.from("FROM debian:bookworm-slim\n") },
  { name: "cb-runner", content: Buffer.from([0x7f, 0x45, 0x4c, 0x46]), mode: 0o755 },
  { name: "test.py", content: Buffer.from("print('OK')\n") },
];
const base = contextHash(files);

describe("contextHash", () => {
  it("is a short hex string, the same for the same files", () => {
    expect(base).toMatch(/^[0-9a-f]{8,}$/);
    expect(contextHash(files.map((file) => ({ ...file, content: Buffer.from(file.content) })))).toBe(base);
  });

  it("does not depend on the order of the files", () => {
    expect(contextHash([...files].reverse())).toBe(base);
    expect(contextHash([files[1]!, files[2]!, files[0]!])).toBe(base);
  });

  it("changes when a file's content changes, even by one byte", () => {
    const changed = files.map((file) => (file.name === "test.py" ? { ...file, content: Buffer.from("print('OK!')\n") } : file));
    expect(contextHash(changed)).not.toBe(base);
  });

  it("changes when a file is renamed", () => {
    const changed = files.map((file) => (file.name === "test.py" ? { ...file, name: "test2.py" } : file));
    expect(contextHash(changed)).not.toBe(base);
  });

  it("changes when a file's mode changes", () => {
    const changed = files.map((file) => (file.name === "cb-runner" ? { ...file, mode: 0o644 } : file));
    expect(contextHash(changed)).not.toBe(base);
  });

  it("changes when a file is added or removed", () => {
    expect(contextHash([...files, { name: "extra", content: Buffer.alloc(0) }])).not.toBe(base);
    expect(contextHash(files.slice(1))).not.toBe(base);
  });

  it("tells apart bytes moved between a name and its content", () => {
    expect(contextHash([{ name: "ab", content: Buffer.from("c") }])).not.toBe(contextHash([{ name: "a", content: Buffer.from("bc") }]));
  });

  it("tells apart bytes moved from one file to the next", () => {
    const one = [
      { name: "a", content: Buffer.from("xy") },
      { name: "b", content: Buffer.from("") },
    ];
    const two = [
      { name: "a", content: Buffer.from("x") },
      { name: "b", content: Buffer.from("y") },
    ];
    expect(contextHash(one)).not.toBe(contextHash(two));
  });

  it("tells apart one file from two whose second header is hidden in the first one's content", () => {
    const two = [
      { name: "a", content: Buffer.from("x") },
      { name: "b", content: Buffer.from("y") },
    ];
    const one = [{ name: "a", content: Buffer.from(`xb\0${0o644}\0\0y`) }];
    expect(contextHash(one)).not.toBe(contextHash(two));
  });

  it("changes with the extra strings", () => {
    expect(contextHash(files, ["runner:abc"])).not.toBe(base);
    expect(contextHash(files, ["runner:abc"])).not.toBe(contextHash(files, ["runner:abd"]));
    expect(contextHash(files, ["runner:abc"])).toBe(contextHash(files, ["runner:abc"]));
  });
});

describe("matchesIntegrity", () => {
  const bytes = Buffer.from("the quick brown fox\n");
  const sri = (algorithm: string, data: Buffer) => `${algorithm}-${createHash(algorithm).update(data).digest("base64")}`;

  it("accepts bytes whose sha512 matches", () => {
    expect(matchesIntegrity(bytes, sri("sha512", bytes))).toBe(true);
  });

  it("accepts sha256 and sha384 strings too", () => {
    expect(matchesIntegrity(bytes, sri("sha256", bytes))).toBe(true);
    expect(matchesIntegrity(bytes, sri("sha384", bytes))).toBe(true);
  });

  it("refuses bytes that differ by one byte", () => {
    const other = Buffer.from("the quick brown fox!\n");
    expect(matchesIntegrity(other, sri("sha512", bytes))).toBe(false);
  });

  it("refuses a digest of the wrong algorithm", () => {
    const sha256 = createHash("sha256").update(bytes).digest("base64");
    expect(matchesIntegrity(bytes, `sha512-${sha256}`)).toBe(false);
  });

  it("matches an empty file against the hash of nothing", () => {
    expect(matchesIntegrity(Buffer.alloc(0), sri("sha512", Buffer.alloc(0)))).toBe(true);
    expect(matchesIntegrity(Buffer.alloc(1), sri("sha512", Buffer.alloc(0)))).toBe(false);
  });
});

describe("dockerImage: an image reference, nothing else", () => {
  const valid = [
    "python:3.12-slim",
    "codebeaker-python:latest",
    "debian",
    "ghcr.io/owner/name:tag",
    "localhost:5000/team/app_1.2__x-y:v1",
    `alpine@sha256:${"a".repeat(64)}`,
    `registry.example.com/a/b:1.0@sha256:${"0".repeat(64)}`,
  ];
  const invalid = [
    "python:3.12\nUSER root",
    "python:3.12\rRUN id",
    "debian\nRUN curl http://127.0.0.1:8080",
    "python 3.12",
    "Python:3",
    "--build-arg=x",
    "debian AS build",
    "debian:",
    "debian:-bad",
    ":latest",
    "a/../b",
    "debian@sha256:abc",
    `debian:${"t".repeat(129)}`,
    "x".repeat(513),
  ];

  it("accepts what Docker accepts as a reference", () => {
    for (const reference of valid) expect(isImageReference(reference), reference).toBe(true);
    for (const reference of valid) expect(SessionCreateParams.safeParse({ language: "py", dockerImage: reference }).success).toBe(true);
  });

  it("refuses anything else, newlines and spaces first, as a -32602 naming dockerImage", async () => {
    for (const reference of invalid) {
      expect(isImageReference(reference), JSON.stringify(reference)).toBe(false);
      const result = SessionCreateParams.safeParse({ language: "py", dockerImage: reference });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["dockerImage"]);
    }
  });

  it("is checked again where it becomes a Dockerfile line, before any build", async () => {
    const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error("the engine was called")) }) as unknown as Docker;
    await expect(new ImageBuilder(unreachable).customImage("debian\nUSER root")).rejects.toThrow(
      /dockerImage: "debian\\nUSER root" is not an image reference/,
    );
  });

  it("names each runtime's image as the usage guide does", () => {
    expect(guideImageName("python")).toBe("codebeaker-python:latest");
    expect(guideImageName("python", "3.11")).toBe("codebeaker-python:3.11");
    const registry = RuntimeRegistry.builtIn();
    expect(guideImageNames(registry.find("python", "3.13")!)).toEqual(["codebeaker-python:3.13", "codebeaker-python:latest"]);
    expect(guideImageNames(registry.find("python", "3.11")!)).toEqual(["codebeaker-python:3.11"]);
    expect(guideImageNames(registry.find("java", "25")!)).toEqual(["codebeaker-java:25"]);
    expect(guideImageNames(registry.find("java", "21")!)).toEqual(["codebeaker-java:21", "codebeaker-java:latest"]);
    expect(isImageReference(guideImageName("csharp"))).toBe(true);
  });
});
