import { describe, expect, it } from "vitest";
import { packagesTag } from "../../host/isolation/docker/packages-image";
import type { SessionCreateResult, SessionExecuteResult } from "../../contract/protocol/session";
import { docker, useHost } from "./helpers";

/**
 * Packages on the real engine and the real registries: this project's machines reach npm's registry, PyPI,
 * crates.io, the Go module proxy and Maven Central, through a proxy that re-signs TLS with a CA only the
 * machine's store has.
 */
describe("packages a session lists", () => {
  const host = useHost({ warmPoolSize: 0 });

  function client() {
    const progress: Array<{ image: string; phase: string }> = [];
    const context = {
      notify: (method: string, params: unknown) => {
        if (method === "image.progress") progress.push(params as { image: string; phase: string });
      },
    };
    const call = <T>(method: string, params: unknown) => host().dispatcher.call(method, params, context) as Promise<T>;
    const run = async (sessionId: string, code: string) =>
      call<SessionExecuteResult>("session.execute", { sessionId, command: { type: "execute_code", code } });
    const shell = async (sessionId: string, commandName: string, args: string[]) =>
      call<SessionExecuteResult>("session.execute", { sessionId, command: { type: "execute_shell", commandName, args } });
    return { call, run, shell, progress };
  }

  /** The image a list installs into, removed first: the test sees the install happen, not an earlier run's image. */
  async function freshPackagesImage(language: string, packages: string[]): Promise<string> {
    const runtime = host().registry.find(language)!;
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

  it("installs npm packages once, from the registry, into an image the next session of the list starts from", async () => {
    const list = ["is-odd@3.0.1", "is-number@6.0.0"];
    const tag = await freshPackagesImage("javascript", list);
    const first = client();
    const created = await first.call<SessionCreateResult>("session.create", { language: "javascript", packages: list });
    expect(created.image).toBe(tag);
    expect(created.config).toMatchObject({ packages: ["is-number@6.0.0", "is-odd@3.0.1"], networkEnabled: false });
    expect(first.progress.filter((event) => event.image === tag).map((event) => event.phase)).toContain("done");

    // require, and import (ESM resolves from /node_modules, not NODE_PATH), of the package and its dependency.
    const used = await first.run(
      created.sessionId,
      `const isOdd = require("is-odd"); console.log(isOdd(3), isOdd(4));
       import("is-number").then((m) => console.log(m.default("5")));`,
    );
    expect(used).toMatchObject({ status: "Success", stdout: "true false\ntrue\n" });

    // The install had the network; the session does not.
    const offline = await first.run(
      created.sessionId,
      `fetch("https://registry.npmjs.org/is-odd").then(() => console.log("reached"), (e) => console.log("unreachable", e.cause?.code));`,
    );
    expect(offline.stdout).toMatch(/^unreachable/);

    // The same list in another order, with a duplicate: the image is there, nothing is built.
    const second = client();
    const again = await second.call<SessionCreateResult>("session.create", {
      language: "javascript",
      packages: ["is-odd@3.0.1", "is-number@6.0.0", "is-odd@3.0.1"],
    });
    expect(again.image).toBe(tag);
    expect(second.progress.filter((event) => event.image === tag)).toEqual([]);
    expect((await second.run(again.sessionId, `console.log(require("is-odd")(7))`)).stdout).toBe("true\n");
    await first.call("session.close", { sessionId: created.sessionId });
    await second.call("session.close", { sessionId: again.sessionId });
  });

  it("gives TypeScript sessions npm packages too: tsc and node both find them", async () => {
    const { call, run } = client();
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "typescript", packages: ["is-odd@3.0.1"] });
    const answer = await run(sessionId, `import isOdd from "is-odd";\nconst n: number = 9;\nconsole.log(isOdd(n));\n`);
    expect(answer).toMatchObject({ status: "Success", stdout: "true\n" });
    await call("session.close", { sessionId });
  });

  it("fails session.create with npm's own words when a package does not exist", async () => {
    const { call } = client();
    const missing = "codebeaker-no-such-package-7f3a9c";
    await expect(call("session.create", { language: "javascript", packages: [missing] })).rejects.toThrow(
      new RegExp(`installing ${missing} with npm for javascript failed[\\s\\S]*registry\\.npmjs\\.org[\\s\\S]*npm said:[\\s\\S]*404`),
    );
  });

  it("installs pip packages from PyPI, wheels only: numpy imports in a session without network", async () => {
    const { call, run } = client();
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", packages: ["numpy"] });
    const answer = await run(sessionId, "import numpy as np\nprint(int(np.arange(10).sum()))\n");
    expect(answer, answer.stderr).toMatchObject({ status: "Success", stdout: "45\n" });
    await call("session.close", { sessionId });
  });

  it("runs the guide's scenario 2: pip install with execute_shell, as the sandbox user, in a session with network", async () => {
    const { call, shell } = client();
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", networkEnabled: true });
    const installed = await shell(sessionId, "pip", ["install", "--no-cache-dir", "requests"]);
    expect(installed, installed.stderr).toMatchObject({ status: "Success", exitCode: 0 });
    await call("session.execute", {
      sessionId,
      command: {
        type: "write_file",
        path: "/workspace/api_test.py",
        content: 'import requests\nprint("requests version:", requests.__version__)',
      },
    });
    const used = await shell(sessionId, "python3", ["/workspace/api_test.py"]);
    expect(used).toMatchObject({ status: "Success", stdout: expect.stringMatching(/^requests version: \d+\.\d+/) });
    await call("session.close", { sessionId });
  });

  it("says at once, in a session without network, that pip install needs networkEnabled or packages", async () => {
    const { call, shell } = client();
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python" });
    const refused = await shell(sessionId, "pip", ["install", "--no-cache-dir", "requests"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/no network[\s\S]*networkEnabled: true[\s\S]*packages/);
    await call("session.close", { sessionId });
  });
});
