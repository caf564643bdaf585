"use strict";
// tsc's command line, compiled by a TypeScript that stays loaded (docs/WARM.md, "Resident compiler"). The output
// is tsc's own: its diagnostics reporter, its ordering and exit status (emitFilesAndReportErrorsAndGetExitStatus,
// which tsc calls), its emit. What is kept between compiles: parsed and bound SourceFiles, by file name, options and
// text; and the library files' type errors, while the user's code cannot change them (library-names.cjs).
const { basename } = require("node:path");
const { isLibraryFile, libraryStandsAlone } = require("./library-names.cjs");

/**
 * Options for which tsc does something else than compile the files it is given, or compiles differently from
 * one file's emit at a time (outFile, noEmitOnError): the cold tsc runs those.
 */
const COLD_ONLY = [
  "project", "watch", "init", "version", "help", "all", "showConfig", "listFilesOnly", "listFiles",
  "listEmittedFiles", "explainFiles", "traceResolution", "diagnostics", "extendedDiagnostics", "generateCpuProfile",
  "generateTrace", "incremental", "composite", "tsBuildInfoFile", "locale", "noEmitOnError", "outFile", "out",
];

/** A cold `tsc …` line → what to compile, or why the cold tsc should run it. */
function parseTscLine(ts, cwd, args) {
  if (args.length === 0 || basename(args[0]) !== "tsc") return { fallback: "not tsc" };
  const tscArgs = args.slice(1);
  if (ts.isBuildCommand(tscArgs)) return { fallback: "--build" };
  const commandLine = ts.parseCommandLine(tscArgs, (path) => ts.sys.readFile(path));
  if (commandLine.errors.length > 0) return { fallback: "a command-line error, which tsc reports" };
  if (commandLine.watchOptions !== undefined) return { fallback: "watch options" };
  const cold = COLD_ONLY.find((name) => commandLine.options[name] !== undefined);
  if (cold !== undefined) return { fallback: `--${cold}` };
  if (commandLine.fileNames.length === 0) return { fallback: "no file: tsc reads tsconfig.json" };
  if (commandLine.options.noEmit && commandLine.options.declaration) return { fallback: "--noEmit with --declaration" };
  const options = ts.convertToOptionsWithAbsolutePaths(commandLine.options, (name) => ts.getNormalizedAbsolutePath(name, cwd));
  return { commandLine, options };
}

/** A compiler that keeps what it can between compiles. `write` gets what tsc would write to stdout. */
function createResidentCompiler(ts) {
  const sources = new SourceFileCache(ts);
  const library = new LibraryDiagnostics();

  /**
   * One compile: { exit } as tsc would exit, or { fallback } before anything is written or emitted. Also
   * `libraryChecked`, how many library files were type-checked again (none when the kept results served).
   */
  function compile(cwd, args, write) {
    const line = parseTscLine(ts, cwd, args);
    if (line.fallback) return line;
    const system = systemFor(ts, cwd, write);
    const program = createProgram(line, system);
    let libraryChecked = 0;
    const exit = ts.emitFilesAndReportErrorsAndGetExitStatus(
      tscView(program, () => {
        const { diagnostics, checked } = semanticDiagnostics(program);
        libraryChecked = checked;
        return diagnostics;
      }),
      diagnosticReporter(ts, system, line.options),
      (text) => system.write(text + system.newLine),
      errorSummary(ts, system, line.options),
    );
    return { exit, libraryChecked };
  }

  /**
   * Parses and checks the library as a compile with `args` (a compile line without its files) would, with an
   * empty file that exists only here: the first compile finds the library ready.
   */
  function warm(cwd, args) {
    const empty = `${cwd}/__codebeaker_warm__.ts`;
    const line = parseTscLine(ts, cwd, [...args, empty]);
    if (line.fallback) throw new Error(`cannot warm with ${JSON.stringify(args)}: ${line.fallback}`);
    semanticDiagnostics(createProgram(line, systemFor(ts, cwd, () => {}), { [empty]: "" }));
  }

  function createProgram({ commandLine, options }, system, virtualFiles = {}) {
    const host = ts.createCompilerHostWorker(options, undefined, system);
    host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors; // as tsc
    sources.serve(host, JSON.stringify(options), virtualFiles);
    const currentDirectory = host.getCurrentDirectory();
    const canonical = ts.createGetCanonicalFileName(host.useCaseSensitiveFileNames());
    ts.changeCompilerHostLikeToUseCache(host, (name) => ts.toPath(name, currentDirectory, canonical));
    return ts.createProgram({
      rootNames: commandLine.fileNames,
      options,
      projectReferences: commandLine.projectReferences,
      host,
      configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(commandLine),
    });
  }

  /**
   * Every file's type errors, in the program's order, as program.getSemanticDiagnostics() gives them; and how many
   * library files were checked for them.
   */
  function semanticDiagnostics(program) {
    const files = program.getSourceFiles();
    const libraryFiles = new Set(files.filter((file) => isLibraryFile(program, file)));
    const userFiles = files.filter((file) => !libraryFiles.has(file));
    const known = libraryStandsAlone(ts, program, [...libraryFiles], userFiles) ? library.for(program.getCompilerOptions(), [...libraryFiles]) : null;
    let checked = 0;
    const diagnostics = files.flatMap((file) => {
      const kept = known?.get(file);
      if (kept) return kept;
      const found = program.getSemanticDiagnostics(file);
      if (!libraryFiles.has(file)) return found;
      checked++;
      // Only a clean library file is kept: one with errors is checked again, as tsc would.
      if (known && found.length === 0) known.set(file, found);
      return found;
    });
    return { diagnostics, checked };
  }

  return { compile, warm };
}

/** SourceFiles kept by name, parse settings and text: a file whose text is unchanged is not parsed or bound again. */
class SourceFileCache {
  constructor(ts) {
    this.ts = ts;
    this.optionsKey = undefined;
    this.files = new Map();
  }

  serve(host, optionsKey, virtualFiles) {
    if (optionsKey !== this.optionsKey) {
      // Binding depends on the options: files parsed with others are not reused.
      this.files.clear();
      this.optionsKey = optionsKey;
    }
    host.getSourceFile = (fileName, languageVersionOrOptions, onError) => {
      let text;
      try {
        text = fileName in virtualFiles ? virtualFiles[fileName] : host.readFile(fileName);
      } catch (error) {
        onError?.(error.message);
        text = "";
      }
      if (text === undefined) return undefined;
      const key = `${fileName}\0${JSON.stringify(languageVersionOrOptions)}`;
      const kept = this.files.get(key);
      if (kept?.text === text) return kept.file;
      const file = this.ts.createSourceFile(fileName, text, languageVersionOrOptions);
      this.files.set(key, { text, file });
      return file;
    };
  }
}

/** Clean library files, under one set of options and one set of library files (each a SourceFile object). */
class LibraryDiagnostics {
  constructor() {
    this.key = undefined;
    this.clean = new WeakMap();
    this.ids = new WeakMap();
    this.nextId = 0;
  }

  for(options, libraryFiles) {
    const key = `${JSON.stringify(options)}\n${libraryFiles.map((file) => this.idOf(file)).join(",")}`;
    if (key !== this.key) {
      this.key = key;
      this.clean = new WeakMap();
    }
    return this.clean;
  }

  idOf(file) {
    let id = this.ids.get(file);
    if (id === undefined) this.ids.set(file, (id = this.nextId++));
    return id;
  }
}

/** tsc's System, writing to `write`, in `cwd`. */
function systemFor(ts, cwd, write) {
  const system = Object.create(ts.sys);
  system.write = write;
  system.getCurrentDirectory = () => cwd;
  system.writeOutputIsTTY = () => require("node:tty").isatty(1);
  return system;
}

/** tsc's: plain, or with colours and context under --pretty (or on a terminal). */
function diagnosticReporter(ts, system, options) {
  return ts.createDiagnosticReporter(system, isPretty(system, options));
}

/** "Found 2 errors in the same file…", which tsc prints only when pretty. */
function errorSummary(ts, system, options) {
  if (!isPretty(system, options)) return undefined;
  return (errorCount, filesInError) => system.write(ts.getErrorSummaryText(errorCount, filesInError, system.newLine, system));
}

function isPretty(system, options) {
  if (options.pretty !== undefined) return options.pretty;
  return system.writeOutputIsTTY() && !system.getEnvironmentVariable("NO_COLOR");
}

/**
 * The program as tsc's reporting sees it, with two changes: the semantic diagnostics of every file come from
 * `semanticDiagnostics` (some kept), and the emit is one file at a time, so that emitting checks only the files it
 * writes (a whole-program emit checks every library file first).
 */
function tscView(program, semanticDiagnostics) {
  return {
    getCompilerOptions: () => program.getCompilerOptions(),
    getConfigFileParsingDiagnostics: () => program.getConfigFileParsingDiagnostics(),
    getSyntacticDiagnostics: (file, token) => program.getSyntacticDiagnostics(file, token),
    getOptionsDiagnostics: (token) => program.getOptionsDiagnostics(token),
    getGlobalDiagnostics: (token) => program.getGlobalDiagnostics(token),
    getSemanticDiagnostics: (file, token) => (file ? program.getSemanticDiagnostics(file, token) : semanticDiagnostics()),
    getDeclarationDiagnostics: (file, token) => program.getDeclarationDiagnostics(file, token),
    getCurrentDirectory: () => program.getCurrentDirectory(),
    getSourceFiles: () => program.getSourceFiles(),
    emit: (target, writeFile, token, onlyDts, transformers) => {
      // --noEmit: tsc's emit returns before checking anything.
      if (target || program.getCompilerOptions().noEmit) return program.emit(target, writeFile, token, onlyDts, transformers);
      const emitted = program
        .getSourceFiles()
        .filter((file) => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file))
        .map((file) => program.emit(file, writeFile, token, onlyDts, transformers));
      return {
        emitSkipped: emitted.some((result) => result.emitSkipped),
        diagnostics: emitted.flatMap((result) => result.diagnostics),
        emittedFiles: undefined,
        sourceMaps: undefined,
      };
    },
  };
}

module.exports = { createResidentCompiler, parseTscLine, COLD_ONLY };
