import * as vscode from "vscode";
import type { Isolation } from "../host/protocol/session";

export interface LanguageOverride {
  /** Which version of the language ("3.11"); the host's default when unset. */
  version?: string;
  image?: string;
  compile?: string[] | null;
  run?: string[];
}

/** The settings of one folder (or of the window, for files outside any folder). */
export interface RunSettings {
  isolation: Isolation;
  memoryMb: number;
  cpus: number;
  timeoutMs: number;
  network: boolean;
  /** Keep toolchains warm in the sandboxes (codebeaker.warm; docs/WARM.md). */
  warm: boolean;
  languages: Record<string, LanguageOverride>;
  mirrorExclude: string[];
  maxFileBytes: number;
}

export function readSettings(scope?: vscode.Uri): RunSettings {
  const config = vscode.workspace.getConfiguration("codebeaker", scope);
  return {
    isolation: config.get<Isolation>("isolation", "auto"),
    memoryMb: config.get<number>("limits.memoryMb", 512),
    cpus: config.get<number>("limits.cpus", 1),
    timeoutMs: Math.round(config.get<number>("limits.timeoutSeconds", 10) * 1000),
    network: config.get<boolean>("network", false),
    warm: config.get<boolean>("warm", true),
    languages: config.get<Record<string, LanguageOverride>>("languages", {}),
    mirrorExclude: config.get<string[]>("mirror.exclude", [".git/"]),
    maxFileBytes: config.get<number>("mirror.maxFileSizeKb", 2048) * 1024,
  };
}
