import { describe, expect, it } from "vitest";
import { buildStep } from "../../host/isolation/docker/build-step";
import { stepSummary } from "../../extension/image-steps";
import { ImageProgressParams } from "../../contract/protocol/methods";

describe("an image build's steps", () => {
  it("are read from the engine's step line by the host, and sent as image.progress's step", () => {
    const step = buildStep("Step 2/3 : RUN apt-get update  && apt-get install -y golang-go\n");
    expect(step).toEqual({ index: 2, count: 3, instruction: "RUN apt-get update && apt-get install -y golang-go" });
    expect(buildStep(" ---> Running in 5c2a")).toBeNull();
    const progress = { image: "codebeaker/go:1.24", language: "go", phase: "step", message: "Step 2/3 : RUN …", step };
    expect(ImageProgressParams.parse(progress)).toEqual(progress);
  });

  it("are said briefly enough for a notification, cut at a word with a mark", () => {
    const long = buildStep("Step 2/3 : RUN apt-get update && apt-get install -y --no-install-recommends golang-go")!;
    const summary = stepSummary(long);
    expect(summary.length).toBeLessThanOrEqual(40);
    expect(summary).toBe("step 2 of 3: RUN apt-get update &&…");
    expect(stepSummary(buildStep("Step 1/3 : FROM debian:bookworm-slim")!)).toBe("step 1 of 3: FROM debian:bookworm-slim");
  });
});
