import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { IsolationBackend, SandboxSpec } from "../../host/isolation/backend";
import {
  CA_PATH,
  describeInstallFailure,
  installEnvironment,
  packagesDockerfile,
  packagesTag,
  proxyBuildArgs,
} from "../../host/isolation/docker/packages-image";
import { silentLogger } from "../../host/log";
import { SessionCreateParams } from "../../contract/protocol/session";
import { PackageInstall } from "../../contract/runtimes/manifest";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { DEFAULT_SETTINGS, SessionManager } from "../../host/sessions/manager";

const npm = PackageInstall.parse({
  manager: "npm",
  index: "https://registry.npmjs.org/",
  fetch: [{ url: "https://registry.npmjs.org/npm/-/npm-1.0.0.tgz", integrity: "sha512-AAAA", to: "npm.tgz" }],
  setup: [["tar", "-xzf", "/opt/codebeaker/installer/npm.tgz"]],
  install: [
    ["npm", "install", "--ignore-scripts", "{packages}"],
    ["rm", "-rf", "/tmp/cache"],
  ],
  installEnv: { npm_config_cafile: "{ca}" },
  passEnv: ["npm_config_registry"],
  env: { NODE_PATH: "/opt/codebeaker/packages/node_modules" },
});

describe("a packages image's recipe", () => {
  it("copies the installer and the CA bundle, sets up, installs the list in one layer, and sets the sessions' environment", () => {
    const dockerfile = packagesDockerfile("codebeaker/javascript:abc", npm, ["is-odd@3.0.1", "it's"], { npm_config_cafile: CA_PATH });
    expect(dockerfile.split("\n")).toEqual([
      "FROM codebeaker/javascript:abc",
      "USER root",
      'COPY ["codebeaker-ca.crt","npm.tgz","/opt/codebeaker/installer/"]',
      "RUN export npm_config_cafile='/opt/codebeaker/installer/codebeaker-ca.crt' && 'tar' '-xzf' '/opt/codebeaker/installer/npm.tgz'",
      "RUN export npm_config_cafile='/opt/codebeaker/installer/codebeaker-ca.crt' && 'npm' 'install' '--ignore-scripts' 'is-odd@3.0.1' 'it'\\''s' && 'rm' '-rf' '/tmp/cache'",
      'ENV NODE_PATH="/opt/codebeaker/packages/node_modules"',
      "",
    ]);
  });

  it("is tagged by the base image, the recipe and the list: another list or base is another image", () => {
    const tag = packagesTag("javascript", "codebeaker/javascript:abc", npm, ["a", "b"]);
    expect(tag).toMatch(/^codebeaker\/javascript-packages:[0-9a-f]{16}$/);
    expect(packagesTag("javascript", "codebeaker/javascript:abc", npm, ["a", "b"])).toBe(tag);
    expect(packagesTag("javascript", "codebeaker/javascript:abc", npm, ["a"])).not.toBe(tag);
    expect(packagesTag("javascript", "codebeaker/javascript:def", npm, ["a", "b"])).not.toBe(tag);
  });

  it("gives the install the CA bundle's path and the host's variables it names, when set", () => {
    expect(installEnvironment(npm, {})).toEqual({ npm_config_cafile: CA_PATH });
    expect(installEnvironment(npm, { npm_config_registry: "https://mirror.example/", OTHER: "x" })).toEqual({
      npm_config_cafile: CA_PATH,
      npm_config_registry: "https://mirror.example/",
    });
  });

  it("takes the docker CLI's default proxies as build arguments, in both cases", () => {
    const config = mkdtempSync(join(tmpdir(), "codebeaker-docker-config-"));
    expect(proxyBuildArgs({ DOCKER_CONFIG: config })).toEqual({});
    writeFileSync(
      join(config, "config.json"),
      JSON.stringify({ proxies: { default: { httpsProxy: "http://proxy:3128", noProxy: "localhost" } } }),
    );
    expect(proxyBuildArgs({ DOCKER_CONFIG: config })).toEqual({
      HTTPS_PROXY: "http://proxy:3128",
      https_proxy: "http://proxy:3128",
      NO_PROXY: "localhost",
      no_proxy: "localhost",
    });
  });

  it("says where a failed install fetched from, and keeps only what the failing step printed", () => {
    const output =
      "Step 4/6 : RUN setup\n ---> abc\nStep 5/6 : RUN install\n ---> Running in 123\n\x1b[91mERROR: No matching distribution found for six\n\x1b[0m\nRemoving intermediate container 123\n";
    const message = describeInstallFailure(
      "python",
      { ...npm, manager: "pip", index: "https://pypi.org/simple", passEnv: ["PIP_INDEX_URL"] },
      ["six"],
      output,
    );
    expect(message).toContain("installing six with pip for python failed");
    expect(message).toContain("fetches from https://pypi.org/simple (or what PIP_INDEX_URL in the host's environment names)");
    expect(message.endsWith("pip said:\nERROR: No matching distribution found for six")).toBe(true);
  });
});

describe("packages in session.create", () => {
  it("accepts package specs as managers write them and refuses options, spaces and quotes", () => {
    const parse = (packages: string[]) => SessionCreateParams.safeParse({ language: "python", packages }).success;
    expect(parse(["left-pad@1.3.0", "@scope/name@^2.0.0", "requests>=2,<3", "pkg[extra]==1.*"])).toBe(true);
    expect(parse(["--registry=http://evil.example"])).toBe(false);
    expect(parse(["-e"])).toBe(false);
    expect(parse(["left pad"])).toBe(false);
    expect(parse(["x'; rm -rf /"])).toBe(false);
  });

  function managerWith(kind: "docker" | "process") {
    const specs: SandboxSpec[] = [];
    const backend = {
      kind,
      available: async () => ({ ok: true as const }),
      removeLeftovers: async () => 0,
      dispose: async () => undefined,
      createSandbox: async (spec: SandboxSpec) => {
        specs.push(spec);
        return { id: "c", image: "i", list: async () => [], close: async () => undefined, ended: new Promise(() => undefined) };
      },
    } as unknown as IsolationBackend;
    const settings = { ...DEFAULT_SETTINGS, warmPoolSize: 0 };
    const manager = new SessionManager({ choose: async () => backend }, RuntimeRegistry.builtIn(), settings, silentLogger);
    return {
      specs,
      create: (params: Record<string, unknown>) => manager.create(SessionCreateParams.parse({ language: "javascript", ...params })),
    };
  }

  it("hands the backend the list sorted and each once, and says it in the session's config", async () => {
    const { specs, create } = managerWith("docker");
    const session = await create({ packages: ["is-odd@3.0.1", "is-number@7.0.0", "is-odd@3.0.1"] });
    expect(specs[0]!.packages).toEqual(["is-number@7.0.0", "is-odd@3.0.1"]);
    expect(session.config.packages).toEqual(["is-number@7.0.0", "is-odd@3.0.1"]);
  });

  it("refuses packages for a runtime without an install recipe, with a dockerImage, or under process isolation", async () => {
    const { create } = managerWith("docker");
    await expect(create({ language: "csharp", packages: ["x"] })).rejects.toThrow(
      /the csharp runtime does not say how to install packages/,
    );
    await expect(create({ dockerImage: "node:20", packages: ["x"] })).rejects.toThrow(/own dockerImage takes no packages/);
    await expect(managerWith("process").create({ packages: ["x"] })).rejects.toThrow(/use docker or gvisor isolation/);
  });
});
