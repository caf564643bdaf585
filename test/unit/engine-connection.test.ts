import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromEndpoint, resolveEngineConnection } from "../../host/isolation/docker/engine-connection";

/** A docker config directory with contexts, as `docker context create` leaves it. */
function dockerConfig(options: { current?: string; contexts?: Record<string, { host: string; tls?: boolean; skipTls?: boolean }> }) {
  const dir = mkdtempSync(join(tmpdir(), "codebeaker-docker-config-"));
  if (options.current !== undefined)
    writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: {}, currentContext: options.current }));
  for (const [name, context] of Object.entries(options.contexts ?? {})) {
    const id = createHash("sha256").update(name).digest("hex");
    mkdirSync(join(dir, "contexts", "meta", id), { recursive: true });
    writeFileSync(
      join(dir, "contexts", "meta", id, "meta.json"),
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: context.host, SkipTLSVerify: context.skipTls ?? false } } }),
    );
    if (context.tls) {
      const tls = join(dir, "contexts", "tls", id, "docker");
      mkdirSync(tls, { recursive: true });
      for (const file of ["ca.pem", "cert.pem", "key.pem"]) writeFileSync(join(tls, file), `${name} ${file}`);
    }
  }
  return dir;
}

describe("which Docker engine the host connects to", () => {
  it("DOCKER_HOST tcp:// is plain HTTP on 2375 unless TLS is asked for", () => {
    const connection = resolveEngineConnection({ DOCKER_HOST: "tcp://127.0.0.1:23750" });
    expect(connection.options).toMatchObject({ protocol: "http", host: "127.0.0.1", port: 23750 });
    expect(connection).toMatchObject({ endpoint: "tcp://127.0.0.1:23750", source: "DOCKER_HOST" });
    expect(resolveEngineConnection({ DOCKER_HOST: "tcp://engine.example" }).options).toMatchObject({ port: 2375 });
  });

  it("DOCKER_HOST with DOCKER_TLS_VERIFY reads the client's certificates from DOCKER_CERT_PATH", () => {
    const certs = mkdtempSync(join(tmpdir(), "codebeaker-certs-"));
    for (const file of ["ca.pem", "cert.pem", "key.pem"]) writeFileSync(join(certs, file), file);
    const connection = resolveEngineConnection({ DOCKER_HOST: "tcp://engine.example", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs });
    expect(connection.options).toMatchObject({ protocol: "https", host: "engine.example", port: 2376 });
    expect(String(connection.options.ca)).toBe("ca.pem");
    expect(String(connection.options.key)).toBe("key.pem");
  });

  it("DOCKER_HOST ssh:// goes through ssh with the user's agent", () => {
    const connection = resolveEngineConnection({ DOCKER_HOST: "ssh://builder@engine.example:2222", SSH_AUTH_SOCK: "/run/agent.sock" });
    expect(connection.options).toMatchObject({
      protocol: "ssh",
      host: "engine.example",
      port: 2222,
      username: "builder",
      sshOptions: { agent: "/run/agent.sock" },
    });
  });

  it("DOCKER_HOST unix:// is a socket path", () => {
    expect(resolveEngineConnection({ DOCKER_HOST: "unix:///srv/docker.sock" }).options).toMatchObject({ socketPath: "/srv/docker.sock" });
  });

  it("the config's currentContext, read from the context store by the hash of its name", () => {
    const config = dockerConfig({ current: "remote", contexts: { remote: { host: "tcp://10.1.2.3:2376", tls: true } } });
    const connection = resolveEngineConnection({ DOCKER_CONFIG: config });
    expect(connection.options).toMatchObject({ protocol: "https", host: "10.1.2.3", port: 2376 });
    expect(String(connection.options.cert)).toBe("remote cert.pem");
    expect(connection.source).toContain('context "remote"');
  });

  it("DOCKER_CONTEXT wins over the config's currentContext, and DOCKER_HOST over both", () => {
    const config = dockerConfig({
      current: "one",
      contexts: { one: { host: "tcp://127.0.0.1:1111" }, two: { host: "ssh://me@two.example" } },
    });
    expect(resolveEngineConnection({ DOCKER_CONFIG: config }).options).toMatchObject({ port: 1111 });
    expect(resolveEngineConnection({ DOCKER_CONFIG: config, DOCKER_CONTEXT: "two" }).options).toMatchObject({
      protocol: "ssh",
      host: "two.example",
    });
    expect(
      resolveEngineConnection({ DOCKER_CONFIG: config, DOCKER_CONTEXT: "two", DOCKER_HOST: "tcp://127.0.0.1:3333" }).options,
    ).toMatchObject({ port: 3333 });
  });

  it("the context named default, or none, is the local socket", () => {
    const config = dockerConfig({ current: "default" });
    expect(resolveEngineConnection({ DOCKER_CONFIG: config }).endpoint).toMatch(/^unix:\/\//);
    expect(resolveEngineConnection({ DOCKER_CONFIG: dockerConfig({}) }).source).toBe("the local socket");
  });

  it("a context that does not exist, or skips TLS verification, is an error that says so", () => {
    const config = dockerConfig({ current: "gone", contexts: { lax: { host: "tcp://10.0.0.1:2376", skipTls: true } } });
    expect(() => resolveEngineConnection({ DOCKER_CONFIG: config })).toThrow(/context "gone" is not defined/);
    expect(() => resolveEngineConnection({ DOCKER_CONFIG: config, DOCKER_CONTEXT: "lax" })).toThrow(/skips TLS verification/);
  });

  it("refuses endpoints that are not Docker's", () => {
    expect(() => fromEndpoint("ftp://engine", undefined)).toThrow(/unix:\/\/, tcp:\/\/ or ssh:\/\//);
    expect(() => fromEndpoint("unix://", undefined)).toThrow(/names no socket/);
  });
});
