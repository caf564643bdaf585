import { describe, expect, it } from "vitest";
import { parseMegabytes, parsePort, parseSeconds, UsageError } from "../../host/cli/options";

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("no UsageError was thrown");
}

describe("parseSeconds", () => {
  it.each([
    ["5", 5000],
    ["0.5", 500],
    ["30", 30_000],
    ["1.25", 1250],
  ])("reads %j as %d ms", (value, ms) => {
    expect(parseSeconds("--timeout", value)).toBe(ms);
  });

  it.each(["0", "-1", "abc", "", "Infinity", "NaN", "5s"])("refuses %j with a UsageError naming the flag and the value", (value) => {
    expect(usageError(() => parseSeconds("--timeout", value)).message).toBe(`--timeout takes seconds, like 5 or 0.5 (got "${value}")`);
  });
});

describe("parseMegabytes", () => {
  it.each([
    ["512", 512],
    ["256m", 256],
    ["256M", 256],
    ["256mb", 256],
    ["1g", 1024],
    ["2G", 2048],
    ["1.5g", 1536],
    ["1gb", 1024],
    [" 128m ", 128],
  ])("reads %j as %d MB", (value, mb) => {
    expect(parseMegabytes("--memory", value)).toBe(mb);
  });

  it.each(["abc", "", "-5", "1t", "1k", "m", "1.g", "12 34"])("refuses %j with a UsageError naming the flag and the value", (value) => {
    expect(usageError(() => parseMegabytes("--memory", value)).message).toBe(
      `--memory takes megabytes, like 512, 256m or 1g (got "${value}")`,
    );
  });
});

describe("parsePort", () => {
  it.each([
    ["5000", 5000],
    ["1", 1],
    ["65535", 65535],
  ])("reads %j as port %d", (value, port) => {
    expect(parsePort("--port", value)).toBe(port);
  });

  it.each(["65536", "-1", "80.5", "abc", "http"])("refuses %j with a UsageError", (value) => {
    expect(usageError(() => parsePort("--port", value)).message).toBe(`--port takes a port number (got "${value}")`);
  });
});

describe("values that would round to nothing", () => {
  it("refuses an empty port, a timeout under a millisecond and zero megabytes", () => {
    expect(usageError(() => parsePort("--port", "")).message).toBe('--port takes a port number (got "")');
    expect(usageError(() => parsePort("--port", " ")).message).toBe('--port takes a port number (got " ")');
    expect(usageError(() => parseSeconds("--timeout", "0.0004")).message).toMatch(/^--timeout takes seconds/);
    expect(usageError(() => parseMegabytes("--memory", "0")).message).toMatch(/^--memory takes megabytes/);
    expect(usageError(() => parseMegabytes("--memory", "0.4")).message).toMatch(/^--memory takes megabytes/);
  });
});
