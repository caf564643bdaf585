import { describe, expect, it } from "vitest";
import { packagesTag } from "../../host/isolation/docker/packages-image";
import type { SessionCreateResult, SessionExecuteResult } from "../../contract/protocol/session";
import { docker, useHost } from "./helpers";

/**
 * Packages of the compiled languages, on the real engine and the real registries (crates.io, the Go module proxy,
 * Maven Central): each list is installed into a fresh image, and a program that uses a package and its
 * dependencies compiles and runs in a session that has no network.
 */
describe("packages for Rust, Go and Java", () => {
  const host = useHost({ warmPoolSize: 0 });

  const call = <T>(method: string, params: unknown) => host().dispatcher.call(method, params, { notify: () => undefined }) as Promise<T>;

  /** The image a list installs into, removed first: the test sees the install happen, not an earlier run's image. */
  async function freshPackagesImage(language: string, version: string, packages: string[]): Promise<string> {
    const runtime = host().registry.find(language, version)!;
    const base = await host().isolations.docker.images.runtimeImage(runtime);
    const tag = packagesTag(language, base, runtime.manifest.packages!, [...packages].sort());
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
    return tag;
  }

  async function runWith(language: string, version: string, packages: string[], code: string): Promise<SessionExecuteResult> {
    const tag = await freshPackagesImage(language, version, packages);
    const created = await call<SessionCreateResult>("session.create", { language, version, packages });
    expect(created.image).toBe(tag);
    expect(created.config).toMatchObject({ networkEnabled: false });
    try {
      return await call<SessionExecuteResult>("session.execute", { sessionId: created.sessionId, command: { type: "execute_code", code } });
    } finally {
      await call("session.close", { sessionId: created.sessionId });
    }
  }

  // Rust 1.63's cargo (1.65) reads crates.io's index from GitHub, which this project's machines do not reach.
  it("builds cargo crates from crates.io once, and rustc 1.85 links them into the session's programs", async () => {
    // serde_json brings serde, itoa, ryu and memchr: its rlib finds them through the dependency path.
    const answer = await runWith(
      "rust",
      "1.85",
      ["serde_json@1"],
      `fn main() {\n    let value = serde_json::json!({ "n": 42, "ok": true });\n    println!("{}", serde_json::to_string(&value).unwrap());\n}\n`,
    );
    expect(answer, answer.stderr).toMatchObject({ status: "Success", stdout: '{"n":42,"ok":true}\n' });
  });

  it.each(["1.24", "1.19"])(
    "downloads Go modules from the module proxy into the image's module cache, and go %s builds with them offline",
    async (version) => {
      const answer = await runWith(
        "go",
        version,
        ["github.com/google/uuid@v1.6.0"],
        `package main\n\nimport (\n\t"fmt"\n\n\t"github.com/google/uuid"\n)\n\nfunc main() {\n\tid := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")\n\tfmt.Println(id.Version(), uuid.NewString() != "")\n}\n`,
      );
      expect(answer, answer.stderr).toMatchObject({ status: "Success", stdout: "VERSION_1 true\n" });
    },
  );

  it.each(["21", "17"])(
    "copies Maven artifacts and their dependencies from Maven Central onto the classpath of javac and java %s",
    async (version) => {
      const answer = await runWith(
        "java",
        version,
        ["com.google.code.gson:gson:2.11.0"],
        `import com.google.gson.Gson;\nimport java.util.Map;\n\npublic class Main {\n    public static void main(String[] args) {\n        System.out.println(new Gson().toJson(Map.of("n", 42)));\n    }\n}\n`,
      );
      expect(answer, answer.stderr).toMatchObject({ status: "Success", stdout: '{"n":42}\n' });
    },
  );

  it("says what a Maven package looks like when one is not group:artifact:version", async () => {
    await expect(call("session.create", { language: "java", packages: ["gson"] })).rejects.toThrow(
      /installing gson with maven for java failed[\s\S]*gson is not group:artifact:version \(like com\.google\.code\.gson:gson:2\.11\.0\)/,
    );
  });
});
