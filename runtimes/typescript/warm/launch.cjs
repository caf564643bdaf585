"use strict";
// The warm launcher (docs/WARM.md): a Node.js already started, waiting on fd 3 for the run's command line, that
// then runs the program as `node [flags] <script> args…` would, through Node's own Module.runMain.
//
// It is started with the cold line's Node flags (`node --enable-source-maps launch.cjs` for TypeScript), so
// process.execArgv and execPath are the cold run's. A cold line whose flags or argv[0] differ is run as a child.
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");
// The built-in modules a program's first console.log loads to make process.stdout, a pipe here (net, tty, and the
// streams under them): compiling them took 2.5 of a warm hello world's 10 ms. Loading them leaves no state a
// program can see but process.moduleLoadList; the streams themselves are made by the program's first use, as cold.
require("node:net");
require("node:tty");

const GO_FD = 3;
const ENTRY_FILE = "node:internal/main/run_main_module";

const entry = entryCallSite();
const go = parseGo(readToEnd(GO_FD));
if (go === null) process.exit(0); // the runner is discarding this launcher
const program = programOf(go.args);
process.chdir(go.cwd);
if (program === null) runCold(go.args);
else runWarm(program);

/**
 * Where Node's own bootstrap calls Module.runMain (`node:internal/main/run_main_module:33:47` on Node 24), read
 * from this launcher's stack, which Node started the same way: the program's stack traces end on that frame.
 */
function entryCallSite() {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const at = /\n\s+at node:internal\/main\/run_main_module:(\d+):(\d+)$/.exec(stack);
  return at ? { line: Number(at[1]), column: Number(at[2]) } : { line: 1, column: 3 };
}

/** The whole of `fd`, read while blocked, then closed: this is where the launcher waits. */
function readToEnd(fd) {
  const chunks = [];
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    let count;
    try {
      count = fs.readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // a non-blocking pipe: wait a little
      continue;
    }
    if (count === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, count)));
  }
  return Buffer.concat(chunks);
}

/** `cwd=<dir>\0arg=<argument>\0…` → { cwd, args }; nothing at all → null. */
function parseGo(message) {
  if (message.length === 0) return null;
  const fields = message.toString("utf8").split("\0");
  if (fields.at(-1) === "") fields.pop();
  const cwd = fields.find((field) => field.startsWith("cwd="));
  const args = fields.filter((field) => field.startsWith("arg=")).map((field) => field.slice(4));
  if (cwd === undefined || args.length === 0) throw new Error(`the go message has no cwd or no argument: ${JSON.stringify(fields)}`);
  return { cwd: cwd.slice(4), args };
}

/**
 * The script and its arguments when the cold line is this Node.js with the flags it was started with; null for
 * anything else (other flags, `-e`, a script on stdin, `--`).
 */
function programOf(args) {
  if (args[0] !== process.argv0) return null;
  let i = 1;
  while (i < args.length && args[i].startsWith("-")) i++;
  const flags = args.slice(1, i);
  const script = args[i];
  const sameFlags = flags.length === process.execArgv.length && flags.every((flag, k) => flag === process.execArgv[k]);
  if (!sameFlags || script === undefined) return null;
  return { script, args: args.slice(i + 1) };
}

/** The program, in this process: Node's entry point, called from a stack as clean as a cold start's. */
function runWarm(program) {
  const main = path.resolve(program.script);
  process.argv.splice(0, process.argv.length, process.execPath, main, ...program.args);
  forgetLauncher();
  // Module.runMain is called as Node's bootstrap calls it, from a function that stands where that call stands
  // (its frame prints as the cold one does), at the bottom of a stack that holds no frame of this file: the
  // callback of fd 3's close, which Node calls from the event loop. An exception thrown there is uncaught, as
  // one thrown by a cold main module is, and Node reports it the same way.
  const padding = " ".repeat(Math.max(entry.column - 3, 0));
  const source = `(function (M, main) {"use strict";${"\n".repeat(entry.line - 1)}${padding}M.runMain(main)})`;
  const callRunMain = vm.runInThisContext(source, { filename: ENTRY_FILE });
  closeThen(GO_FD, callRunMain.bind(undefined, Module, main));
}

/** This file leaves no trace among the program's modules (require.cache, the resolution cache); runMain sets require.main. */
function forgetLauncher() {
  delete Module._cache[__filename];
  for (const [key, value] of Object.entries(Module._pathCache ?? {})) {
    if (value === __filename) delete Module._pathCache[key];
  }
}

/** Closes `fd` and calls `then` from the event loop, with no JavaScript frame below it. */
function closeThen(fd, then) {
  const binding = quietly(() => process.binding("fs"));
  const request = new binding.FSReqCallback();
  request.oncomplete = then;
  binding.close(fd, request);
}

/** `use()`, without the deprecation warning --pending-deprecation would print for it (DEP0111), into the program's stderr. */
function quietly(use) {
  const own = Object.getOwnPropertyDescriptor(process, "noDeprecation");
  process.noDeprecation = true;
  try {
    return use();
  } finally {
    if (own) Object.defineProperty(process, "noDeprecation", own);
    else delete process.noDeprecation;
  }
}

/** A cold line this launcher cannot stand for: run as a child, its exit code or signal passed on. */
function runCold(args) {
  fs.closeSync(GO_FD);
  const child = require("node:child_process").spawnSync(args[0], args.slice(1), { stdio: "inherit" });
  if (child.error) {
    process.stderr.write(`${args[0]}: ${child.error.message}\n`);
    process.exit(127);
  }
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
