import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { removeLeftovers, sandboxContainerIds } from "./sandbox-leftovers";
import { findToolchain } from "./toolchain";
import { VsCode } from "./vs-code";
import { buildVsix } from "./vsix";

export interface VsCodeSetup {
  /** Names the run's artifacts in .artifacts/e2e/. */
  name: string;
  /** The folder copied as the workspace. */
  fixture: string;
  /** Files added to the copy, by path in it; made just before the launch (after anything they depend on). */
  files?: () => Promise<Record<string, string>> | Record<string, string>;
  /** Undoes what `files` made outside the workspace, after VS Code closed. */
  cleanup?: () => Promise<void>;
}

/**
 * One VS Code for a test file, as its tests share it: launched before them, a screenshot of each test that
 * fails, and closed after them, when no sandbox container may be left behind. Returns the running VS Code.
 */
export function useVsCode(setup: VsCodeSetup): () => VsCode {
  let vscode: VsCode | undefined;
  let containersBefore = new Set<string>();

  beforeAll(async () => {
    const toolchain = findToolchain();
    const vsix = await buildVsix();
    containersBefore = await sandboxContainerIds();
    const files = (await setup.files?.()) ?? {};
    vscode = await VsCode.launch({ name: setup.name, toolchain, vsix, fixture: setup.fixture, files });
  });

  afterAll(async () => {
    try {
      await vscode?.close();
    } finally {
      await setup.cleanup?.();
    }
    expect(await removeLeftovers(containersBefore), "sandbox containers left after VS Code closed").toEqual([]);
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      await vscode?.screenshot(`failed-${task.name.replace(/\W+/g, "-")}`);
    });
  });

  return () => {
    if (!vscode) throw new Error("VS Code did not start: see beforeAll's error");
    return vscode;
  };
}
