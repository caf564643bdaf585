import type { IsolationKind, SandboxSpec } from "../isolation/backend";
import type { SessionConfig } from "../protocol/session";

/**
 * Which ready sandboxes can serve a session: those made from the same isolation, runtime, limits, network and
 * image and packages. Permissions and command overrides are applied per run today, not baked into the sandbox; they are part
 * of the key anyway, so that a pooled sandbox can never differ from the one session.create would have started.
 * Timers (idle timeout, lifetime) are the session's own and are not.
 */
export function spareKey(kind: IsolationKind, config: SessionConfig, spec: Omit<SandboxSpec, "sessionId">): string {
  return canonicalJson({
    kind,
    language: spec.runtime.manifest.language,
    // The manifest itself, not only its name: a runtime registered again with other commands is another configuration.
    runtime: { directory: spec.runtime.directory, manifest: spec.runtime.manifest },
    limits: spec.limits,
    networkEnabled: spec.networkEnabled,
    image: spec.customImage ?? null,
    packages: spec.packages ?? [],
    permissions: config.permissions,
    commands: config.commands,
    // A warm spare has its warm parts started; a session with warm: false must never get one.
    warm: config.warm,
  });
}

/** JSON with object keys sorted at every level: equal values give equal text, whatever order they were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
