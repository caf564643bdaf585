/**
 * CodeBeaker as a library: `import { Beaker, Lab } from "codebeaker"`. The same host the editor and the
 * JSON-RPC server use, in this process: sandboxes on Docker (runc or gVisor) or bubblewrap, limits on, no network.
 */
export { Beaker } from "./beaker";
export type { BeakerEvents, BeakerOptions, Experiment, RepeatStats, RestoredVersion, RunOptions } from "./beaker";
export type { RuntimeConfig } from "./config";
export type { JudgeOptions, JudgeResult, TestCase } from "./judge";
export { Lab } from "./lab";
export type { LabOptions, ParallelJob } from "./lab";
export type { ErrorInfo, ErrorLocation, HistoryEntry, RunResult, StackFrame } from "./results";
export { BaseRuntime } from "./base-runtime";
export type { RuntimeClass } from "./base-runtime";
export { RuntimeRegistry } from "./runtime-registry";
export type { CustomRuntime } from "./runtime-registry";
export { CodeBeakerError } from "./errors";
export type { CodeBeakerErrorCode } from "./errors";
export type { Diagnostic } from "../../contract/protocol/diagnostics";
export type { Isolation } from "../../contract/protocol/session";
