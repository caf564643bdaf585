import type { Readable, Writable } from "node:stream";
import { FileErrorCode } from "../../contract/protocol/results";
import {
  DirectoryEntryInfo,
  FileChecksum,
  RunHandle,
  RunObserver,
  RunOutcome,
  RunRequest,
  SandboxFileError,
  SandboxLostError,
  UnpackedEntry,
  WarmPartDefinition,
  WarmPartError,
  WarmPartKind,
} from "./backend";
import { HELD_OUTPUT_BYTES, HeldOutput, toOutcome } from "./runner-results";
import { decodeFields, decodeName, DecodedFrame, encodeFields, encodeFrame, Frame, FrameDecoder, splitNul } from "./runner-protocol";

type Fields = Array<readonly [string, string]>;

/** An archive goes to the runner in frames of this size, so no frame nears the runner's limit (MAX_FRAME). */
const ARCHIVE_FRAME_BYTES = 1 << 20;
/** Frames of one request up to this size in all are written at once. */
const COALESCE_BYTES = 64 << 10;
/** The runner reads at most 4096 fields of a request (MAX_FIELDS in cb-runner.h): longer lists go in several. */
export const LIST_FIELDS_PER_REQUEST = 4000;

/** `items` in runs of LIST_FIELDS_PER_REQUEST; one empty run for none. */
function inBatches<T>(items: T[]): T[][] {
  const batches: T[][] = [];
  for (let at = 0; at < items.length; at += LIST_FIELDS_PER_REQUEST) batches.push(items.slice(at, at + LIST_FIELDS_PER_REQUEST));
  return batches.length ? batches : [[]];
}

/** One request on the wire: the frames it sends and what it does with the frames that come back. */
interface Exchange {
  send: Buffer[];
  onFrame(frame: DecodedFrame): void;
  onLost(error: Error): void;
}

/**
 * Talks to one cb-runner over its stdin/stdout. The runner answers one request at a time, so requests wait
 * their turn here; a run's stdin and kill frames go out while it is the current request.
 */
export class RunnerClient {
  private readonly decoder = new FrameDecoder();
  private readonly queue: Exchange[] = [];
  private current: Exchange | undefined;
  private lost: Error | undefined;
  private greeted = false;
  private readonly hello: Promise<void>;
  private resolveHello!: () => void;
  private rejectHello!: (error: Error) => void;

  constructor(
    private readonly toRunner: Writable,
    fromRunner: Readable,
    private readonly name: string,
  ) {
    this.hello = new Promise((resolve, reject) => {
      this.resolveHello = resolve;
      this.rejectHello = reject;
    });
    this.hello.catch(() => undefined);
    fromRunner.on("data", (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.dispatch(frame);
    });
    fromRunner.on("end", () => this.fail(new SandboxLostError(`the sandbox ${name} stopped`)));
    fromRunner.on("error", (cause) => this.fail(new SandboxLostError(`the sandbox ${name} stopped: ${cause.message}`, { cause })));
    toRunner.on("error", (cause) => this.fail(new SandboxLostError(`the sandbox ${name} stopped: ${cause.message}`, { cause })));
  }

  /** Settles once the runner has said hello. */
  ready(): Promise<void> {
    return this.hello;
  }

  /** Marks the runner as gone: the current and queued requests fail with `error`. */
  fail(error: Error): void {
    if (this.lost) return;
    this.lost = error;
    if (!this.greeted) this.rejectHello(error);
    const pending = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const exchange of pending) exchange.onLost(error);
  }

  run(request: RunRequest, observer: RunObserver = {}): RunHandle {
    const fields: Fields = [
      ["op", "run"],
      ["cwd", request.cwd],
    ];
    fields.push(["timeout_ms", String(request.timeoutMs)], ["output_limit", String(request.outputLimitBytes)]);
    for (const arg of request.argv) fields.push(["arg", arg]);
    for (const [key, value] of Object.entries(request.env ?? {})) fields.push(["env", `${key}=${value}`]);
    for (const dir of request.makeDirectories ?? []) fields.push(["mkdir", dir]);
    for (const file of request.files ?? []) fields.push(["write", file.path]);
    if (request.warm) fields.push(["warm", request.warm]);

    const send = [encodeFrame(Frame.Request, encodeFields(fields))];
    for (const file of request.files ?? []) send.push(encodeFrame(Frame.FileContent, file.content));
    if (request.stdin !== undefined) {
      const data = Buffer.from(request.stdin);
      if (data.length) send.push(encodeFrame(Frame.Stdin, data));
      send.push(encodeFrame(Frame.Stdin));
    }
    const held = Math.min(request.outputLimitBytes, HELD_OUTPUT_BYTES);
    const stdout = new HeldOutput(held);
    const stderr = new HeldOutput(held);
    let exchange!: Exchange;
    let settled = false;
    const outcome = new Promise<RunOutcome>((resolve, reject) => {
      exchange = {
        send,
        onFrame: (frame) => {
          if (frame.type === Frame.Stdout) {
            stdout.push(frame.payload);
            observer.onStdout?.(frame.payload);
          } else if (frame.type === Frame.Stderr) {
            stderr.push(frame.payload);
            observer.onStderr?.(frame.payload);
          } else if (frame.type === Frame.Result) {
            settled = true;
            const fields = decodeFields(frame.payload);
            const error = fields.get("error");
            // A file the run carried could not be written: the program never started.
            if (error) reject(fileError(error, fields.get("path") ?? "", fields.get("detail")));
            else resolve(toOutcome(fields, stdout.bytes(), stderr.bytes()));
          }
        },
        onLost: (error) => {
          settled = true;
          reject(error);
        },
      };
    });
    this.enqueue(exchange);
    // Frames for a run that has not started yet wait in its send list; once it runs they go out directly.
    const deliver = (frame: Buffer) => {
      if (settled) return;
      if (this.current === exchange) this.write(frame);
      else exchange.send.push(frame);
    };
    return {
      outcome,
      writeStdin: (data) => {
        const bytes = Buffer.from(data);
        if (bytes.length) deliver(encodeFrame(Frame.Stdin, bytes));
      },
      endStdin: () => deliver(encodeFrame(Frame.Stdin)),
      kill: () => deliver(encodeFrame(Frame.Kill)),
    };
  }

  /** op=warm: defines (or, with null, removes) a warm part and starts it; its pid (0 when removed). */
  defineWarmPart(kind: WarmPartKind, definition: WarmPartDefinition | null): Promise<number> {
    const fields: Fields = [
      ["op", "warm"],
      ["kind", kind],
    ];
    for (const arg of definition?.argv ?? []) fields.push(["arg", arg]);
    for (const [key, value] of Object.entries(definition?.env ?? {})) fields.push(["env", `${key}=${value}`]);
    for (const dir of definition?.makeDirectories ?? []) fields.push(["mkdir", dir]);
    return new Promise((resolve, reject) => {
      this.enqueue({
        send: [encodeFrame(Frame.Request, encodeFields(fields))],
        onFrame: (frame) => {
          if (frame.type !== Frame.Result) return;
          const result = decodeFields(frame.payload);
          const error = result.get("error");
          if (!error) resolve(Number(result.get("pid")));
          else if (error === "SpawnFailed") reject(new WarmPartError(kind, `${result.get("spawn_step")}: ${result.get("spawn_error")}`));
          else
            reject(
              new WarmPartError(
                kind,
                error === "Unsupported" ? "this runner does not own its sandbox's processes" : `the runner answered ${error}`,
              ),
            );
        },
        onLost: reject,
      });
    });
  }

  async writeFile(path: string, content: Buffer, mode: "create" | "append"): Promise<number> {
    const { fields } = await this.request(
      [
        ["op", "write"],
        ["path", path],
        ["mode", mode],
      ],
      path,
      [encodeFrame(Frame.FileContent, content)],
    );
    return Number(fields.get("bytes"));
  }

  async readFile(path: string, maxBytes: number): Promise<Buffer> {
    const { fields, data } = await this.request(
      [
        ["op", "read"],
        ["path", path],
        ["max_bytes", String(maxBytes)],
      ],
      path,
    );
    if (fields.get("error") === "TooLarge") {
      throw new SandboxFileError("TooLarge", path, `${fields.get("size")} bytes; the limit is ${maxBytes}`);
    }
    return Buffer.concat(data);
  }

  async makeDirectory(path: string): Promise<boolean> {
    const { fields } = await this.request(
      [
        ["op", "mkdir"],
        ["path", path],
      ],
      path,
    );
    return fields.get("created") === "1";
  }

  async copyFile(source: string, destination: string): Promise<number> {
    const { fields } = await this.request(
      [
        ["op", "copy"],
        ["path", source],
        ["dest", destination],
      ],
      source,
    );
    return Number(fields.get("bytes"));
  }

  async remove(path: string): Promise<"file" | "directory"> {
    const { fields } = await this.request(
      [
        ["op", "delete"],
        ["path", path],
      ],
      path,
    );
    return fields.get("type") === "directory" ? "directory" : "file";
  }

  async list(path: string): Promise<DirectoryEntryInfo[]> {
    const { data } = await this.request(
      [
        ["op", "list"],
        ["path", path],
      ],
      path,
    );
    return data.map((entry) => {
      const [name = "", type = "other", size = "0", modified = "0"] = textParts(entry);
      return { name, type: type as DirectoryEntryInfo["type"], size: Number(size), modifiedMs: Number(modified) };
    });
  }

  async unpack(archive: Buffer, deletes: string[]): Promise<UnpackedEntry[]> {
    const entries: UnpackedEntry[] = [];
    // The archive goes with the first batch of deletions; any further batch comes with an empty archive.
    for (const [index, batch] of inBatches(deletes).entries()) {
      const frames: Buffer[] = [];
      for (let at = 0; index === 0 && at < archive.length; at += ARCHIVE_FRAME_BYTES) {
        frames.push(encodeFrame(Frame.FileContent, archive.subarray(at, at + ARCHIVE_FRAME_BYTES)));
      }
      frames.push(encodeFrame(Frame.FileContent));
      const fields: Fields = [["op", "untar"], ...batch.map((path) => ["delete", path] as const)];
      const { fields: result, data } = await this.request(fields, "/workspace", frames);
      if (result.get("corrupt") === "1") throw new Error("the runner could not read the archive the host made");
      for (const entry of data) {
        const [status = "", path = "", detail = "", more] = textParts(entry);
        if (status === "written") entries.push({ status, path, bytes: Number(detail), checksum: more ?? "" });
        else if (status === "deleted") entries.push({ status, path, type: detail as "file" | "directory" | "missing" });
        else entries.push({ status: "failed", path, error: detail, ...(more ? { detail: more } : {}) });
      }
    }
    return entries;
  }

  async checksums(paths: string[]): Promise<Array<FileChecksum | null>> {
    const found: Array<FileChecksum | null> = [];
    for (const batch of paths.length ? inBatches(paths) : []) {
      const { data } = await this.request([["op", "checksum"], ...batch.map((path) => ["path", path] as const)], "/workspace");
      for (const entry of data) {
        const [status, , bytes = "0", checksum = ""] = textParts(entry);
        found.push(status === "file" ? { bytes: Number(bytes), checksum } : null);
      }
    }
    return found;
  }

  /** A file request: its 'd' frames are collected; an error field becomes a SandboxFileError. */
  private request(fields: Fields, path: string, extra: Buffer[] = []) {
    return new Promise<{ fields: Map<string, string>; data: Buffer[] }>((resolve, reject) => {
      const data: Buffer[] = [];
      this.enqueue({
        send: [encodeFrame(Frame.Request, encodeFields(fields)), ...extra],
        onFrame: (frame) => {
          if (frame.type === Frame.Data) data.push(Buffer.from(frame.payload));
          if (frame.type !== Frame.Result) return;
          const result = decodeFields(frame.payload);
          const error = result.get("error");
          // A request on two paths (copy) names the one that failed.
          if (error && error !== "TooLarge") reject(fileError(error, result.get("path") ?? path, result.get("detail")));
          else resolve({ fields: result, data });
        },
        onLost: reject,
      });
    });
  }

  private enqueue(exchange: Exchange): void {
    if (this.lost) {
      exchange.onLost(this.lost);
      return;
    }
    this.queue.push(exchange);
    if (!this.current) this.next();
  }

  private next(): void {
    this.current = this.queue.shift();
    if (!this.current) return;
    // A small request goes out in one write with the frames that follow it: one system call, one hop through the
    // engine. A large one (an archive) goes frame by frame, rather than copied once more.
    const frames = this.current.send.splice(0);
    const bytes = frames.reduce((sum, frame) => sum + frame.length, 0);
    if (frames.length > 1 && bytes <= COALESCE_BYTES) this.write(Buffer.concat(frames));
    else for (const frame of frames) this.write(frame);
  }

  private write(frame: Buffer): void {
    this.toRunner.write(frame);
  }

  private dispatch(frame: DecodedFrame): void {
    if (frame.type === Frame.Hello) {
      this.greeted = true;
      this.resolveHello();
      return;
    }
    const exchange = this.current;
    if (!exchange) return;
    exchange.onFrame(frame);
    if (frame.type === Frame.Result) this.next();
  }
}

/** A 'd' frame's NUL-separated fields; paths and names among them cross as decodeName says. */
function textParts(entry: Buffer): string[] {
  return splitNul(entry).map(decodeName);
}

/** The runner's error code as a SandboxFileError; a code the protocol does not know is an IoError that names it. */
function fileError(error: string, path: string, detail: string | undefined): SandboxFileError {
  const code = FileErrorCode.safeParse(error);
  return new SandboxFileError(code.success ? code.data : "IoError", path, detail ?? error);
}
