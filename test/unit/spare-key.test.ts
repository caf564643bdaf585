import { describe, expect, it } from "vitest";
import type { SandboxSpec } from "../../host/isolation/backend";
import type { SessionConfig } from "../../contract/protocol/session";
import type { Runtime } from "../../contract/runtimes/manifest";
import { spareKey } from "../../host/sessions/spare-key";

const runtime = (run: string[]): Runtime =>
  ({ directory: "(registered)", manifest: { language: "shell", run, image: { from: "debian:bookworm-slim" } } }) as unknown as Runtime;
const spec = (of: Runtime) =>
  ({ runtime: of, limits: { memoryMb: 512 }, networkEnabled: false }) as unknown as Omit<SandboxSpec, "sessionId">;
const config = { permissions: null, commands: null } as unknown as SessionConfig;

describe("which ready sandbox may serve a session", () => {
  it("one of the same runtime, whatever order its fields were built in", () => {
    const a = runtime(["sh", "{file}"]);
    const b = {
      directory: a.directory,
      manifest: { image: a.manifest.image, run: ["sh", "{file}"], language: "shell" },
    } as unknown as Runtime;
    expect(spareKey("docker", config, spec(a))).toBe(spareKey("docker", config, spec(b)));
  });

  it("never one of a runtime registered again under the same name with other commands", () => {
    expect(spareKey("docker", config, spec(runtime(["sh", "{file}"])))).not.toBe(
      spareKey("docker", config, spec(runtime(["bash", "{file}"]))),
    );
  });
});
