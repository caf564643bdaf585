"use strict";
// The resident tsc (docs/WARM.md, "Resident compiler"): requests on fd 0, tsc's output on fd 1, answers on fd 3.
//   node tsc-server.cjs <the compile line without its files: tsc --pretty false …>
// It loads the TypeScript that `tsc` on PATH runs, warms itself with that line (the library parsed and checked
// once), then compiles each request's line.
const fs = require("node:fs");
const path = require("node:path");
const { createResidentCompiler } = require("./tsc-compile.cjs");

const REQUESTS = 0;
const STDOUT = 1;
const ANSWERS = 3;

const warmLine = process.argv.slice(2);
const ts = require(typescriptOfTsc());
let compiler = createResidentCompiler(ts);
try {
  compiler.warm(process.cwd(), warmLine);
} catch (error) {
  process.stderr.write(`warming up failed (compiles will be slower): ${error.stack}\n`); // discarded by the runner
}
for (let request = readFrame(REQUESTS); request !== null; request = readFrame(REQUESTS)) {
  writeFrame(ANSWERS, serve(request));
}

/**
 * The package directory of the TypeScript that the cold `tsc` runs: the first `tsc` on PATH is npm's link to
 * <package>/bin/tsc, or a script that runs <package>/lib/tsc.js (the images' /usr/local/bin/tsc).
 */
function typescriptOfTsc() {
  for (const directory of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    let tsc;
    try {
      tsc = fs.realpathSync(path.join(directory, "tsc"));
      fs.accessSync(tsc, fs.constants.X_OK);
    } catch {
      continue; // not in this directory
    }
    const linked = path.dirname(path.dirname(tsc));
    const packageDirectory = isTypeScript(linked) ? linked : /(\/\S+)\/lib\/tsc\.js\b/.exec(fs.readFileSync(tsc, "utf8").slice(0, 4096))?.[1];
    if (packageDirectory === undefined || !isTypeScript(packageDirectory)) throw new Error(`${tsc} does not say which TypeScript it runs`);
    return packageDirectory;
  }
  throw new Error("no tsc on PATH");
}

function isTypeScript(directory) {
  try {
    return JSON.parse(fs.readFileSync(path.join(directory, "package.json"), "utf8")).name === "typescript";
  } catch {
    return false; // no package there
  }
}

/** One request → its answer field; what tsc prints is written to stdout first. */
function serve(request) {
  const output = [];
  try {
    const { cwd, args } = parseFields(request);
    process.chdir(cwd);
    const result = compiler.compile(cwd, args, (text) => output.push(text));
    if (result.fallback) return "fallback=1\0";
    writeAll(STDOUT, Buffer.from(output.join("")));
    return `exit=${result.exit}\0`;
  } catch {
    // Nothing was written: the cold tsc compiles this one, and the caches, which may be half-updated, go.
    compiler = createResidentCompiler(ts);
    return "fallback=1\0";
  }
}

/** `cwd=<dir>\0arg=<argument>\0…` → { cwd, args }. */
function parseFields(request) {
  const fields = request.toString("utf8").split("\0");
  if (fields.at(-1) === "") fields.pop();
  const cwd = fields.find((field) => field.startsWith("cwd="))?.slice(4);
  if (cwd === undefined) throw new Error("a request without cwd");
  return { cwd, args: fields.filter((field) => field.startsWith("arg=")).map((field) => field.slice(4)) };
}

/** A 4-byte big-endian length and that many bytes; null at end-of-file. */
function readFrame(fd) {
  const header = readExactly(fd, 4);
  if (header === null) return null;
  const body = readExactly(fd, header.readUInt32BE(0));
  if (body === null) throw new Error("end-of-file inside a request");
  return body;
}

function readExactly(fd, length) {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const count = retried(() => fs.readSync(fd, buffer, filled, length - filled, null));
    if (count === 0) return null;
    filled += count;
  }
  return buffer;
}

function writeFrame(fd, text) {
  const body = Buffer.from(text);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  writeAll(fd, Buffer.concat([header, body]));
}

function writeAll(fd, buffer) {
  for (let written = 0; written < buffer.length; ) {
    written += retried(() => fs.writeSync(fd, buffer, written, buffer.length - written));
  }
}

/** `io()`, again after a millisecond while a non-blocking pipe is not ready. */
function retried(io) {
  for (;;) {
    try {
      return io();
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
