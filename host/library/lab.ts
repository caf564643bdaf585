import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { z } from "zod";
import { Host, startHost } from "../host";
import { Logger, silentLogger, stderrLogger } from "../log";
import type { RequestDefinition } from "../../contract/protocol/methods";
import type { Isolation } from "../../contract/protocol/session";
import { Beaker } from "./beaker";
import { RUNTIME_CONFIG_KEYS, RuntimeConfig } from "./config";
import { CodeBeakerError } from "./errors";
import { refuseUnknownOptions } from "./options";
import type { RunResult } from "./results";
import { RuntimeRegistry } from "./runtime-registry";

export interface LabOptions {
  /** Where run histories are kept, so a beaker of the same `workspace` continues one later. Default: a temporary directory removed by close(). */
  historyDir?: string;
  /** Runs kept per workspace (default 500). */
  historyMaxRuns?: number;
  /** The isolation of every beaker that does not choose its own (default auto: docker when an engine answers, else bubblewrap). */
  isolation?: Isolation;
  /** Ready sandboxes kept per configuration in use, so a new beaker starts in milliseconds (default 1; 0: none). */
  warmPool?: number;
  /** Where the host's log goes: "stderr", or silent (the default). */
  log?: "stderr" | Logger;
}

/** One job of runParallel: [language, code], or with a configuration and stdin of its own. */
export type ParallelJob =
  [language: string, code: string] | { language: string; code: string; stdin?: string; inputData?: string; config?: RuntimeConfig };

const LAB_OPTION_KEYS = ["historyDir", "historyMaxRuns", "isolation", "warmPool", "log"];
const JOB_KEYS = ["language", "code", "stdin", "inputData", "config"];

/** Hears what the host says during one call: run output, history records, image builds. */
export type NotificationListener = (method: string, params: unknown) => void;

/**
 * The seed's Lab: the sandbox host of this process, and the beakers made on it. The host starts on first use
 * and ends with close(), which removes every sandbox it made. Beakers made with `new Beaker(...)` and no lab
 * share a default lab that closes itself when its last beaker closes.
 */
export class Lab {
  private host: Promise<Host> | undefined;
  private readonly open = new Set<Beaker>();
  private historyDir: string | undefined;
  private stopFollowing: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private static shared: Lab | undefined;

  constructor(private readonly options: LabOptions = {}) {
    refuseUnknownOptions("Lab", options, LAB_OPTION_KEYS);
  }

  /** A beaker of this lab. */
  beaker(language: string, config: RuntimeConfig & { workspace?: string } = {}): Beaker {
    refuseUnknownOptions(`lab.beaker("${language}")`, config, [...RUNTIME_CONFIG_KEYS, "workspace"]);
    return new Beaker({ ...config, language, lab: this });
  }

  /**
   * Runs each job in a sandbox of its own, at most `concurrency` at once (default: the machine's CPU count), and
   * returns the results in the jobs' order. A program that fails is a result; a job that cannot run (an unknown
   * language, no engine) rejects the whole call, after the jobs under way have ended.
   */
  async runParallel(jobs: readonly ParallelJob[], options: { concurrency?: number } = {}): Promise<RunResult[]> {
    refuseUnknownOptions("runParallel()", options, ["concurrency"]);
    if (!Array.isArray(jobs))
      throw new CodeBeakerError("INVALID_OPTION", "runParallel() takes an array of jobs: [language, code] or { language, code }");
    const concurrency = options.concurrency ?? availableParallelism();
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new CodeBeakerError("INVALID_OPTION", `concurrency must be a whole number, at least 1 (got ${concurrency})`, {
        data: { option: "concurrency", value: concurrency },
      });
    }
    const normalized = jobs.map((job, index) => {
      if (!Array.isArray(job)) refuseUnknownOptions(`runParallel() job ${index}`, job, JOB_KEYS);
      const { language, code, stdin, inputData, config } = Array.isArray(job) ? { language: job[0], code: job[1] } : job;
      if (!RuntimeRegistry.knows(language)) {
        throw new CodeBeakerError(
          "UNKNOWN_LANGUAGE",
          `job ${index}: unknown language "${language}" (known: ${RuntimeRegistry.languages().join(", ")})`,
          {
            data: { job: index, language },
          },
        );
      }
      return { language, code, stdin: stdin ?? inputData, config };
    });
    const results: RunResult[] = new Array(normalized.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < normalized.length; index = next++) {
        const job = normalized[index]!;
        const beaker = this.beaker(job.language, job.config);
        try {
          results[index] = await beaker.run(job.code, { stdin: job.stdin });
        } finally {
          await beaker.close();
        }
      }
    };
    const workers = Array.from({ length: Math.min(concurrency, normalized.length) }, worker);
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed) throw failed.reason;
    return results;
  }

  /** runParallel on a lab of its own, closed when the jobs are done. */
  static async runParallel(jobs: readonly ParallelJob[], options: LabOptions & { concurrency?: number } = {}): Promise<RunResult[]> {
    const { concurrency, ...labOptions } = options;
    const lab = new Lab(labOptions);
    try {
      return await lab.runParallel(jobs, concurrency === undefined ? {} : { concurrency });
    } finally {
      await lab.close();
    }
  }

  /** Ends every beaker's session and removes its sandbox; a later call starts the host again. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.open].map((beaker) => beaker.close()));
      const host = this.host;
      this.host = undefined;
      this.stopFollowing?.();
      await host?.then(
        (started) => started.shutdown(),
        () => undefined,
      );
      if (this.historyDir && !this.options.historyDir) rmSync(this.historyDir, { recursive: true, force: true });
      this.historyDir = undefined;
    })();
    try {
      await this.closing;
    } catch (error) {
      throw CodeBeakerError.from(error);
    } finally {
      this.closing = undefined;
    }
  }

  /** @internal The lab `new Beaker(...)` uses when given none. */
  static get default(): Lab {
    return (Lab.shared ??= new Lab());
  }

  /** @internal A protocol request on this lab's host, with what the host says meanwhile. */
  async call<P extends z.ZodType, R extends z.ZodType>(
    request: RequestDefinition<P, R>,
    params: z.input<P>,
    onNotification: NotificationListener = () => undefined,
  ): Promise<z.infer<R>> {
    try {
      const host = await this.started();
      return await host.dispatcher.request(request, params, { notify: onNotification });
    } catch (error) {
      throw CodeBeakerError.from(error);
    }
  }

  /** @internal */
  opened(beaker: Beaker): void {
    this.open.add(beaker);
  }

  /** @internal The default lab ends its host with its last beaker: a script that closes its beakers can exit. */
  closed(beaker: Beaker): Promise<void> {
    this.open.delete(beaker);
    if (this === Lab.shared && this.open.size === 0 && !this.closing) return this.close();
    return Promise.resolve();
  }

  private started(): Promise<Host> {
    if (this.closing) throw new CodeBeakerError("INVALID_CALL", "this lab is closing");
    this.host ??= this.start();
    return this.host;
  }

  private async start(): Promise<Host> {
    const { options } = this;
    this.historyDir = options.historyDir ?? mkdtempSync(join(tmpdir(), "codebeaker-lab-"));
    const log = options.log === "stderr" ? stderrLogger("warn") : (options.log ?? silentLogger);
    const host = await startHost({
      log,
      settings: {
        ...(options.isolation ? { isolation: options.isolation } : {}),
        ...(options.warmPool !== undefined ? { warmPoolSize: options.warmPool } : {}),
      },
      history: { dir: this.historyDir, ...(options.historyMaxRuns ? { maxRuns: options.historyMaxRuns } : {}) },
    });
    this.stopFollowing = RuntimeRegistry.follow((runtime) => host.registry.register(runtime));
    return host;
  }
}
