import * as vscode from "vscode";
import type { ImageProgressParams } from "../contract/protocol/methods";
import { stepSummary } from "./image-steps";

/** Someone who wants an image build's progress as it comes: a run waiting for its sandbox. */
export type ImageProgressWatcher = (progress: ImageProgressParams) => void;

/**
 * The host builds a runtime's image on its first use (and when its recipe changed): a progress notification
 * shows each build from its start to its end, with the step it is at (said briefly; a notification's line is
 * short), and each run waiting for the image hears every step in full (its terminal shows them).
 */
export class ImageProgressView {
  private readonly builds = new Map<string, { report(step: string, increment?: number): void; finish(): void }>();
  private readonly watchers = new Set<{ language: string; watch: ImageProgressWatcher }>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /**
   * Hands `watch` the progress of builds for `language` and of the images every language needs (the runner's, a
   * user's own image), until disposed.
   */
  watch(language: string, watch: ImageProgressWatcher): vscode.Disposable {
    const watcher = { language, watch };
    this.watchers.add(watcher);
    return new vscode.Disposable(() => this.watchers.delete(watcher));
  }

  handle(progress: ImageProgressParams): void {
    for (const { language, watch } of this.watchers) {
      if (progress.language === null || progress.language === language) watch(progress);
    }
    if (progress.phase === "start") this.begin(progress);
    else if (progress.phase === "step") this.step(progress);
    else {
      this.builds.get(progress.image)?.finish();
      this.builds.delete(progress.image);
      if (progress.phase === "failed") this.log.error(progress.message);
      else this.log.info(progress.message);
    }
  }

  private step(progress: ImageProgressParams): void {
    this.log.info(`${progress.image}: ${progress.message}`);
    const { step } = progress;
    this.builds.get(progress.image)?.report(step ? stepSummary(step) : progress.message, step ? 100 / step.count : undefined);
  }

  /**
   * The build is known at once, its notification's reporter only once VS Code runs the task: a build that ends
   * (or a step that comes) before then must still close the notification (or show in it).
   */
  private begin(progress: ImageProgressParams): void {
    this.log.info(progress.message);
    const what = progress.language ? `the ${progress.language} image` : "an image";
    let reporter: vscode.Progress<{ message?: string; increment?: number }> | undefined;
    let latest: { message: string; increment?: number } | undefined;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    this.builds.set(progress.image, {
      report: (message, increment) => {
        latest = { message, increment };
        reporter?.report(latest);
      },
      finish,
    });
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `CodeBeaker: building ${what}` },
      (progressReporter) => {
        reporter = progressReporter;
        if (latest) reporter.report(latest);
        return finished;
      },
    );
  }
}
