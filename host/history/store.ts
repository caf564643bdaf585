import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, rename, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { HistoryRun } from "../../contract/protocol/history";
import { BlobStore } from "./blobs";

/** A run to record, before it has its id, version and snapshots' hashes. */
export type NewRun = Omit<HistoryRun, "id" | "version" | "files" | "workspace">;

export interface Snapshot {
  path: string;
  content: Buffer;
}

export interface HistoryFilter {
  path?: string;
  status?: string;
  limit: number;
}

/**
 * One workspace's history on disk: `runs.jsonl`, one run per line, appended and flushed, and `blobs/`, the
 * files' contents by hash (written before the line that refers to them). A crash while appending leaves at most
 * a torn last line, which the next open cuts off: older runs are never touched. Only the newest `maxRuns` runs
 * are kept; the log itself is rewritten (to a new file that replaces it in one rename) once it holds as many
 * dropped lines as that, after the answer, so a full history costs one append per run, not a rewrite.
 */
export class WorkspaceHistory {
  private runs: HistoryRun[] = [];
  /** Lines in the log, dropped runs included: when they reach twice the limit, the log is rewritten. */
  private lines = 0;
  private readonly blobs: BlobStore;
  private readonly log: string;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly workspace: string,
    private readonly dir: string,
    private readonly maxRuns: number,
  ) {
    this.blobs = new BlobStore(join(dir, "blobs"));
    this.log = join(dir, "runs.jsonl");
  }

  /** Opens a workspace's history to read it; its directory is made by the first record, never by a read. */
  static async open(root: string, workspace: string, maxRuns: number): Promise<WorkspaceHistory> {
    const dir = join(root, createHash("sha256").update(workspace).digest("hex").slice(0, 16));
    const history = new WorkspaceHistory(workspace, dir, maxRuns);
    await history.load();
    return history;
  }

  /** Whether anything was ever recorded here: the directory exists. */
  exists(): boolean {
    return existsSync(this.dir);
  }

  /** Reads the log; a last line without its newline (a crash mid-append) is cut off, and so is any unreadable one. */
  private async load(): Promise<void> {
    const text = await readFile(this.log, "utf8").catch(() => "");
    const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
    if (complete.length !== text.length) await truncate(this.log, Buffer.byteLength(complete));
    for (const line of complete.split("\n")) {
      if (!line) continue;
      this.lines++;
      try {
        this.runs.push(HistoryRun.parse(JSON.parse(line)));
      } catch {
        // A line damaged some other way: it is skipped, the others still count.
      }
    }
    this.runs = this.runs.slice(-this.maxRuns);
  }

  /**
   * Stores a file's content now, for a run still under way: its record then only appends the run's line. Content
   * that no record comes to refer to is removed with the other unreferenced blobs when the log is rewritten.
   */
  storeAhead(content: Buffer): void {
    // A failure here is met again, and reported, by the record that stores the same content.
    this.blobs.put(content).catch(() => undefined);
  }

  /** Records a run: snapshots stored (once per content), then one line appended and flushed. */
  record(run: NewRun, snapshots: readonly Snapshot[]): Promise<HistoryRun> {
    const turn = this.tail.then(async () => {
      await mkdir(this.dir, { recursive: true });
      const files = [];
      for (const snapshot of snapshots) {
        files.push({ path: snapshot.path, hash: await this.blobs.put(snapshot.content), size: snapshot.content.length });
      }
      const previous = this.runs.filter((known) => known.path === run.path).map((known) => known.version);
      const recorded: HistoryRun = {
        ...run,
        id: `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`,
        workspace: this.workspace,
        version: previous.length ? Math.max(...previous) + 1 : 1,
        files,
      };
      await this.append(`${JSON.stringify(recorded)}\n`);
      this.lines++;
      this.runs.push(recorded);
      if (this.runs.length > this.maxRuns) this.runs.shift();
      return recorded;
    });
    // The rewrite waits its turn after the record, but the caller does not wait for it.
    this.tail = turn.then(() => (this.lines >= 2 * this.maxRuns ? this.compact() : undefined)).catch(() => undefined);
    return turn;
  }

  private async append(line: string): Promise<void> {
    const file = await open(this.log, "a");
    try {
      await file.appendFile(line);
      await file.sync();
    } finally {
      await file.close();
    }
  }

  /** Writes the kept runs as the log; versions keep their numbers. The new log replaces the old in one rename. */
  private async compact(): Promise<void> {
    const next = `${this.log}.next`;
    const file = await open(next, "w");
    try {
      await file.writeFile(this.runs.map((run) => `${JSON.stringify(run)}\n`).join(""));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(next, this.log);
    this.lines = this.runs.length;
    await this.blobs.keepOnly(new Set(this.runs.flatMap((run) => run.files.map((file) => file.hash))));
  }

  /** Waits until every record and rewrite asked for so far is on disk (for tests and shutdown). */
  async settled(): Promise<void> {
    await this.tail;
  }

  /** Newest first. */
  list(filter: HistoryFilter): HistoryRun[] {
    return this.runs
      .filter((run) => (!filter.path || run.path === filter.path) && (!filter.status || run.status === filter.status))
      .reverse()
      .slice(0, filter.limit);
  }

  byId(id: string): HistoryRun | undefined {
    return this.runs.find((run) => run.id === id);
  }

  version(path: string, version: number): HistoryRun | undefined {
    return this.runs.find((run) => run.path === path && run.version === version);
  }

  latest(path: string, status?: string): HistoryRun | undefined {
    return this.list({ path, status, limit: 1 })[0];
  }

  /** The content a run had for a file (its own file by default). */
  async content(run: HistoryRun, path = run.path): Promise<Buffer | undefined> {
    const file = run.files.find((candidate) => candidate.path === path);
    return file ? this.blobs.get(file.hash) : undefined;
  }

  /** How much the log holds on disk (for tests and diagnostics). */
  async logSize(): Promise<number> {
    return (await stat(this.log).catch(() => ({ size: 0 }))).size;
  }
}

/**
 * The histories of every workspace the host has seen, under one directory. Reading a workspace that has no
 * history leaves nothing behind, on disk or here: only one with runs (or one being recorded into) is kept open.
 */
export class HistoryStore {
  private readonly open = new Map<string, Promise<WorkspaceHistory>>();

  constructor(
    readonly root: string,
    private readonly maxRuns: number,
  ) {}

  /** A workspace's history, to read: empty, and not kept, when nothing was ever recorded in it. */
  async workspace(name: string): Promise<WorkspaceHistory> {
    const kept = this.open.get(name);
    if (kept) return kept;
    const history = await WorkspaceHistory.open(this.root, name, this.maxRuns);
    return history.exists() ? this.keep(name, history) : history;
  }

  /** A workspace's history, to record into: kept open, so its records take their turns in one queue. */
  recording(name: string): Promise<WorkspaceHistory> {
    return this.open.get(name) ?? this.keep(name, WorkspaceHistory.open(this.root, name, this.maxRuns));
  }

  private keep(name: string, history: WorkspaceHistory | Promise<WorkspaceHistory>): Promise<WorkspaceHistory> {
    const kept = this.open.get(name);
    if (kept) return kept; // opened meanwhile: one instance per workspace
    const opened = Promise.resolve(history);
    this.open.set(name, opened);
    opened.catch(() => this.open.delete(name));
    return opened;
  }
}
