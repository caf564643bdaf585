import { describe, expect, it } from "vitest";
import { buildStep, stepSummary } from "../../extension/image-steps";

describe("an image build's steps", () => {
  it("reads the engine's step line", () => {
    expect(buildStep("Step 2/3 : RUN apt-get update  && apt-get install -y golang-go\n")).toEqual({
      index: 2,
      count: 3,
      instruction: "RUN apt-get update && apt-get install -y golang-go",
    });
    expect(buildStep(" ---> Running in 5c2a")).toBeNull();
  });

  it("says a step briefly enough for a notification, cut at a word with a mark", () => {
    const long = buildStep("Step 2/3 : RUN apt-get update && apt-get install -y --no-install-recommends golang-go")!;
    const summary = stepSummary(long);
    expect(summary.length).toBeLessThanOrEqual(40);
    expect(summary).toBe("step 2 of 3: RUN apt-get update &&…");
    expect(stepSummary(buildStep("Step 1/3 : FROM debian:bookworm-slim")!)).toBe("step 1 of 3: FROM debian:bookworm-slim");
  });
});
