import type { FileErrorCode } from "../protocol/results";
import type { Limits } from "../limits";
import type { Runtime, WarmParts } from "../runtimes/manifest";

/** The isolation kinds of the seed (`000_…`): Docker, gVisor, process. There is no unsandboxed kind. */
export type IsolationKind = "docker" | "gvisor" | "process";

/** A backend that cannot serve here, with what is missing and what to do. */
export class IsolationUnavailableError extends Error {
  constructor(
    readonly kind: IsolationKind,
    message: string,
  ) {
    super(message);
    this.name = "IsolationUnavailableError";
  }
}

/** A user's image (the guide's `dockerImage`) that could not be pulled or built upon, with the engine's reason. */
export class CustomImageError extends Error {
  constructor(
    readonly image: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`the image "${image}" could not be used: ${reason}`, options);
    this.name = "CustomImageError";
  }
}

/** What a session asks of its sandbox. */
export interface SandboxSpec {
  sessionId: string;
  runtime: Runtime;
  limits: Limits;
  networkEnabled: boolean;
  /** An image to run in place of the runtime's own (the guide's `dockerImage`). */
  customImage?: string;
  /** Packages installed into the runtime's image for this sandbox (sorted, each once); none when empty. */
  packages?: readonly string[];
}

export interface ImageProgress {
  image: string;
  language: string | null;
  phase: "start" | "step" | "done" | "failed";
  message: string;
}

/**
 * One way of isolating code. The rest of the host talks to this, never to dockerode or bubblewrap directly.
 */
export interface IsolationBackend {
  readonly kind: IsolationKind;
  /** Whether this backend can start sandboxes here; the reason when it cannot. */
  available(): Promise<{ ok: true } | { ok: false; reason: string }>;
  /**
   * Which of a language's versions this backend can run here (all, unless it runs this machine's own
   * toolchains, as process isolation does).
   */
  versionsHere?(versions: readonly Runtime[]): Runtime[];
  /** Starts a sandbox whose runner has said hello; images are built first when needed. */
  createSandbox(spec: SandboxSpec, onProgress?: (progress: ImageProgress) => void): Promise<Sandbox>;
  /** Removes sandboxes a previous host left behind. Returns how many. */
  removeLeftovers(): Promise<number>;
  /** Removes every sandbox this host started. */
  dispose(): Promise<void>;
}

export interface RunRequest {
  argv: string[];
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  outputLimitBytes: number;
  /** Directories created (as the sandbox user) before the program starts. */
  makeDirectories?: string[];
  /**
   * Files created or replaced before the program starts, in the same request (the code of execute_code). One that
   * cannot be written fails the run with a SandboxFileError, and the program does not start.
   */
  files?: Array<{ path: string; content: Buffer }>;
  /** Sent to the program's stdin, which is then closed. Leave undefined to feed it through the handle. */
  stdin?: string | Buffer;
  /**
   * The warm part to serve this run (docs/WARM.md): the launcher for a run stage, the compiler for a compile stage.
   * One that cannot serve it (not running, another environment) leaves the run cold; the outcome says which.
   */
  warm?: WarmPartKind;
}

/** The warm parts a sandbox's runner can keep (docs/WARM.md). */
export type WarmPartKind = "launcher" | "compiler";

/** A warm part as the runner starts it: its command line and the environment it adds (a run's, for a launcher). */
export interface WarmPartDefinition {
  argv: string[];
  env?: Record<string, string>;
  /** Directories made (as the sandbox user) each time it starts: the compile output directory its line may name. */
  makeDirectories?: string[];
}

export interface RunObserver {
  onStdout?(chunk: Buffer): void;
  onStderr?(chunk: Buffer): void;
}

/** What the runner reports of one run. */
export interface RunOutcome {
  exitCode: number | null;
  signal: number | null;
  /** Set when the program could not be started: which step failed and why (ENOENT's text, …). */
  spawnError: { step: "mkdir" | "env" | "chdir" | "exec"; message: string; errno: number } | null;
  wallMs: number;
  cpuMs: number;
  peakMemoryBytes: number;
  stdout: Buffer;
  stderr: Buffer;
  /** Bytes the program wrote, including what passed the limit and was dropped. */
  stdoutBytes: number;
  stderrBytes: number;
  timedOut: boolean;
  outputExceeded: boolean;
  killed: boolean;
  oomKilled: boolean;
  /** A warm part served it (docs/WARM.md); false for a cold run. */
  warm: boolean;
  /** With an OOM kill: how full /tmp and /workspace were (tmpfs, held in the sandbox's memory). */
  filesystems?: FilesystemFill[];
}

export interface FilesystemFill {
  path: string;
  usedBytes: number;
  sizeBytes: number;
}

export interface RunHandle {
  readonly outcome: Promise<RunOutcome>;
  writeStdin(data: string | Buffer): void;
  endStdin(): void;
  kill(): void;
}

export interface DirectoryEntryInfo {
  name: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
  modifiedMs: number;
}

/** What an unpacked archive did to one path (see Sandbox.unpack). */
export type UnpackedEntry =
  | { status: "written"; path: string; bytes: number; checksum: string }
  | { status: "failed"; path: string; error: string; detail?: string }
  | { status: "deleted"; path: string; type: "file" | "directory" | "missing" };

/** A file's size and content checksum, as the runner computes them (FNV-1a, 64 bits, in hex). */
export interface FileChecksum {
  bytes: number;
  checksum: string;
}

/** A live sandbox: one session's processes and files. Paths are absolute and under /workspace. */
export interface Sandbox {
  /** The container id (or the process sandbox's id). */
  readonly id: string;
  readonly image: string;
  /**
   * The runtime's warm parts (docs/WARM.md) as this sandbox can run them: undefined where it cannot (an image of the
   * user's, process isolation for a language whose warm folder needs its setup at image build).
   */
  readonly warmParts: WarmParts | undefined;
  run(request: RunRequest, observer?: RunObserver): RunHandle;
  /**
   * Defines a warm part and starts it (a new definition replaces the old one and restarts it; null removes it).
   * Resolves with its pid; rejects with WarmPartError when it cannot start (runs then stay cold).
   */
  defineWarmPart(kind: WarmPartKind, definition: WarmPartDefinition | null): Promise<number>;
  writeFile(path: string, content: Buffer, mode: "create" | "append"): Promise<number>;
  readFile(path: string, maxBytes: number): Promise<Buffer>;
  makeDirectory(path: string): Promise<boolean>;
  copyFile(source: string, destination: string): Promise<number>;
  remove(path: string): Promise<"file" | "directory">;
  list(path: string): Promise<DirectoryEntryInfo[]>;
  /**
   * Writes the files of a ustar archive (names relative to /workspace; see ustar.ts), then deletes `deletes`, in
   * one request: what each did, in order. A path refused or not writable is reported, not thrown.
   */
  unpack(archive: Buffer, deletes: string[]): Promise<UnpackedEntry[]>;
  /** Each path's size and checksum, or null where no regular file can be read there (gone, a link in the way). */
  checksums(paths: string[]): Promise<Array<FileChecksum | null>>;
  /** Ends every process and removes the sandbox. Safe to call twice. */
  close(): Promise<void>;
  /** Settles when the sandbox ends, whether closed or lost, saying why. */
  readonly ended: Promise<SandboxEnd>;
}

/** Why a sandbox ended: closed by the host, killed for using too much memory (gVisor), or it stopped by itself. */
export interface SandboxEnd {
  cause: "closed" | "out-of-memory" | "stopped";
  detail: string;
}

/** A file command the sandbox refused or could not do. */
export class SandboxFileError extends Error {
  constructor(
    readonly code: FileErrorCode,
    readonly path: string,
    readonly detail?: string,
  ) {
    super(`${code}: ${path}${detail ? ` (${detail})` : ""}`);
    this.name = "SandboxFileError";
  }
}

/** A warm part the runner could not start: its command line cannot run there, or the runner cannot keep one. */
export class WarmPartError extends Error {
  constructor(
    readonly kind: WarmPartKind,
    readonly reason: string,
  ) {
    super(`the warm ${kind} could not start: ${reason}`);
    this.name = "WarmPartError";
  }
}

/** The sandbox stopped answering: its container died or was removed. */
export class SandboxLostError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SandboxLostError";
  }
}
