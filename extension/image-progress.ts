import * as vscode from "vscode";
import type { ImageProgressParams } from "../host/protocol/methods";

/**
 * The host builds a runtime's image on its first use (and when its recipe changed): a progress notification
 * shows each build from its start to its end, with the build's steps.
 */
export class ImageProgressView {
  private readonly builds = new Map<string, { report(step: string): void; finish(): void }>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  handle(progress: ImageProgressParams): void {
    if (progress.phase === "start") this.begin(progress);
    else if (progress.phase === "step") this.builds.get(progress.image)?.report(progress.message);
    else {
      this.builds.get(progress.image)?.finish();
      this.builds.delete(progress.image);
      if (progress.phase === "failed") this.log.error(progress.message);
    }
  }

  private begin(progress: ImageProgressParams): void {
    const what = progress.language ? `the ${progress.language} image` : progress.image;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `CodeBeaker: building ${what} (first use)` },
      (reporter) =>
        new Promise<void>((finish) => {
          this.builds.set(progress.image, { report: (step) => reporter.report({ message: step }), finish });
        }),
    );
  }
}
