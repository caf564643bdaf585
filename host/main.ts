import { parseArgs } from "node:util";
import { runFile } from "./cli/run";
import { parseCount, parseMegabytes, parsePort, parseSeconds, UsageError } from "./cli/options";
import { Host, startHost } from "./host";
import { stderrLogger } from "./log";
import { workspaceId } from "./mcp/arguments";
import { serveMcp } from "./mcp/server";
import { VERSION } from "./version";
import { Isolation } from "../contract/protocol/session";
import { serveStdio } from "./transports/stdio";
import { serveWebSocket } from "./transports/websocket";
import type { Runtime } from "../contract/runtimes/manifest";
import { splitLanguageVersion } from "../contract/runtimes/versions";

const USAGE = `CodeBeaker ${VERSION}: run code in a sandbox.

Usage:
  codebeaker run FILE [--lang LANG[@VERSION]] [--timeout SECONDS] [--memory MB] [--network] [--isolation KIND] [--cold]
      Run one file in a fresh sandbox; its output streams, stdin is forwarded, a summary line ends it.
      --cold starts the toolchain cold, with no warm launcher or resident compiler (docs/WARM.md).
  codebeaker serve [--host HOST] [--port PORT] [--token TOKEN] [--allow-origin ORIGIN]... [--isolation KIND]
                   [--history-dir DIR] [--history-max-runs N] [--warm-pool N]
      JSON-RPC over WebSocket at ws://HOST:PORT/ws/jsonrpc (default localhost:5000), GET /health.
      --warm-pool N keeps N sandboxes ready per configuration in use (default 1; 0: none).
  codebeaker serve --stdio     (or: codebeaker --stdio)
      JSON-RPC over stdin/stdout with Content-Length framing (as the Language Server Protocol frames it).
  codebeaker mcp [--isolation KIND] [--workspace DIR] [--cold]
      An MCP server over stdin/stdout for agents (Claude Desktop, VS Code, …): run_code, file tools, history.
      Runs are recorded in DIR's history (default: the current folder), as the editor records that folder's.
      --cold starts every toolchain cold, as run --cold does.
  codebeaker images [LANG[@VERSION]...]
      Build the runtime images now (every version of LANG; all of them without LANG), instead of on first use.

KIND is docker, gvisor (Docker with runsc), process (bubblewrap) or auto (the default: docker when an engine
answers, process otherwise).
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // vscode-languageclient puts --stdio after the arguments it was given.
  if (command !== "serve" && argv.includes("--stdio")) return serve(argv);
  switch (command) {
    case "run":
      return run(rest);
    case "serve":
      return serve(rest);
    case "mcp":
      return mcp(rest);
    case "images":
      return buildImages(rest);
    case "--version":
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      lang: { type: "string" },
      timeout: { type: "string" },
      memory: { type: "string" },
      network: { type: "boolean", default: false },
      isolation: { type: "string", default: "auto" },
      cold: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError("run takes one FILE");
  const isolation = parseIsolation(values.isolation);
  return withHost({ quiet: true, isolation }, (host) =>
    runFile(host, {
      file: positionals[0]!,
      language: values.lang,
      timeoutMs: values.timeout === undefined ? undefined : parseSeconds("--timeout", values.timeout),
      memoryMb: values.memory === undefined ? undefined : parseMegabytes("--memory", values.memory),
      network: values.network,
      warm: !values.cold,
    }),
  );
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      stdio: { type: "boolean", default: false },
      host: { type: "string", default: "localhost" },
      port: { type: "string", default: "5000" },
      token: { type: "string", default: process.env.CODEBEAKER_TOKEN },
      "allow-origin": { type: "string", multiple: true, default: [] },
      isolation: { type: "string", default: "auto" },
      "history-dir": { type: "string" },
      "history-max-runs": { type: "string" },
      "warm-pool": { type: "string" },
      // vscode-languageclient adds this to the server's command line.
      clientProcessId: { type: "string" },
    },
  });
  const log = stderrLogger();
  const history = {
    dir: values["history-dir"],
    maxRuns: values["history-max-runs"] === undefined ? undefined : parseCount("--history-max-runs", values["history-max-runs"]),
  };
  const warmPool = values["warm-pool"];
  if (warmPool !== undefined && !/^\d+$/.test(warmPool))
    throw new UsageError(`--warm-pool takes a whole number, 0 or more (got "${warmPool}")`);
  const settings = { isolation: parseIsolation(values.isolation), ...(warmPool === undefined ? {} : { warmPoolSize: Number(warmPool) }) };
  const host = await startHost({ log, settings, history });
  const stop = async (code: number) => {
    await host.shutdown();
    process.exit(code);
  };
  // Being told to stop is how a server ends: after a clean shutdown, that is success.
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));

  if (values.stdio) {
    const connection = serveStdio(host.dispatcher, log, process.stdin, process.stdout);
    void connection.closed.then(() => stop(0));
    return new Promise<number>(() => undefined); // runs until the client goes away
  }
  const server = await serveWebSocket(host.dispatcher, log, {
    host: values.host,
    port: parsePort("--port", values.port),
    token: values.token,
    allowedOrigins: values["allow-origin"],
    health: () => ({ version: VERSION, sessions: host.sessions.list().count }),
  });
  process.stdout.write(`CodeBeaker ${VERSION} listening on ${server.url}\n`);
  return new Promise<number>(() => undefined); // runs until a signal
}

async function mcp(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      isolation: { type: "string", default: "auto" },
      workspace: { type: "string", default: process.cwd() },
      cold: { type: "boolean", default: false },
    },
  });
  const log = stderrLogger();
  // One session per language lives as long as the server: a ready spare beside each would only cost memory.
  const host = await startHost({ log, settings: { isolation: parseIsolation(values.isolation), warmPoolSize: 0 } });
  const stop = async () => {
    await host.shutdown();
    process.exit(0);
  };
  // The client ends the server by closing its stdin, then by SIGTERM: either way every sandbox is removed first.
  process.stdin.once("end", () => void stop());
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  await serveMcp(host, { workspace: workspaceId(values.workspace), log, warm: !values.cold });
  return new Promise<number>(() => undefined); // runs until the client goes away
}

async function buildImages(languages: string[]): Promise<number> {
  return withHost({ quiet: false }, async (host) => {
    // Every version of each language named (python), or the one named (python@3.11); all of them without names.
    const runtimes = languages.length
      ? languages.flatMap((name) => {
          const { language, version } = splitLanguageVersion(name);
          const found =
            version === undefined
              ? host.registry.versions(language)
              : [host.registry.find(language, version)].filter((runtime) => runtime !== undefined);
          if (!found.length)
            throw new UsageError(`unknown language or version "${name}" (${host.registry.allVersions().map(named).join(", ")})`);
          return found;
        })
      : host.registry.allVersions();
    for (const runtime of runtimes) {
      const started = Date.now();
      const image = await host.isolations.docker.images.runtimeImage(runtime, (progress) => {
        if (progress.phase !== "step") process.stderr.write(`codebeaker: ${progress.message}\n`);
      });
      process.stdout.write(`${named(runtime)}\t${image}\t${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    return 0;
  });
}

const named = (runtime: Runtime) => `${runtime.manifest.language}@${runtime.manifest.version}`;

function parseIsolation(value: string): Isolation {
  const parsed = Isolation.safeParse(value);
  if (!parsed.success) throw new UsageError(`--isolation takes ${Isolation.options.join(", ")} (got "${value}")`);
  return parsed.data;
}

async function withHost(options: { quiet: boolean; isolation?: Isolation }, work: (host: Host) => Promise<number>): Promise<number> {
  const log = stderrLogger(options.quiet ? "warn" : "info");
  // One command, then the host exits: a ready sandbox for a next session would only cost the machine.
  const settings = { warmPoolSize: 0, ...(options.isolation ? { isolation: options.isolation } : {}) };
  const host = await startHost({ log, settings });
  try {
    return await work(host);
  } finally {
    await host.shutdown();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    // Node's argument parser marks its errors with a string code; the host's RpcErrors carry a number.
    const code = (error as { code?: unknown }).code;
    const usage = error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"));
    process.stderr.write(`codebeaker: ${(error as Error).message}\n${usage ? "Try: codebeaker --help\n" : ""}`);
    process.exit(usage ? 2 : 1);
  },
);
