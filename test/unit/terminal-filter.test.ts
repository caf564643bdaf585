import { describe, expect, it } from "vitest";
import { TerminalFilter } from "../../host/cli/terminal-filter";

/** The filter's output for `input`, fed whole and then one byte at a time: a sequence may span chunks. */
function filtered(input: string | Buffer): string {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const whole = new TerminalFilter().push(bytes).toString("utf8");
  const byByte = new TerminalFilter();
  const pieces = [...bytes].map((byte) => byByte.push(Buffer.of(byte)));
  expect(Buffer.concat(pieces).toString("utf8")).toBe(whole);
  return whole;
}

describe("what a program may send to the user's terminal", () => {
  it("passes text, UTF-8, tabs and line breaks as they are", () => {
    const text = "héllo ✓ 😀\tcolumn\r\nnext line\x08!\x07\n";
    expect(filtered(text)).toBe(text);
    expect(filtered(Buffer.from("© 2026 \u00a0ok"))).toBe("© 2026 \u00a0ok");
  });

  it("keeps colours and styles (SGR)", () => {
    const coloured = "\x1b[31mred\x1b[0m \x1b[1;38;5;208mbold orange\x1b[m \x1b[38:2:1:2:3mtrue colour\x1b[0m";
    expect(filtered(coloured)).toBe(coloured);
  });

  it("drops OSC 52 (the clipboard) and the window title, whichever terminator they use", () => {
    expect(filtered("a\x1b]52;c;ZXZpbA==\x07b")).toBe("ab");
    expect(filtered("a\x1b]0;owned title\x1b\\b")).toBe("ab");
    expect(filtered("a\x1b]2;title\u009cb")).toBe("ab");
    expect(filtered("a\u009d52;c;ZXZpbA==\x07b")).toBe("ab"); // the 8-bit OSC introducer
    expect(filtered("a\x1b]8;;https://evil.example\x07link\x1b]8;;\x07b")).toBe("alinkb");
  });

  it("drops DCS, APC, PM and SOS strings", () => {
    expect(filtered("a\x1bPq#0;2;0;0;0\x1b\\b")).toBe("ab");
    expect(filtered("a\x1b_Gf=100;payload\x1b\\b")).toBe("ab");
    expect(filtered("a\x1b^private\x1b\\b\x1bXstart\x1b\\c")).toBe("abc");
  });

  it("drops cursor, screen and mode control, resets and charset switches", () => {
    expect(filtered("a\x1b[2J\x1b[H\x1b[?1049h\x1b[5n\x1b[21t\x1b[?25lb")).toBe("ab");
    expect(filtered("a\x1bcb\x1b(0c\x1b)Bd\x1b#8e\x1b7f")).toBe("abcdef");
    expect(filtered("a\x0eb\x0fc\x00d\x1ae")).toBe("abcde");
    expect(filtered("a\u009b2Jb\u0085c")).toBe("abc");
  });

  it("drops an overlong or private CSI whole, and a broken one does not swallow the text after it", () => {
    expect(filtered(`a\x1b[${"1;".repeat(100)}mb`)).toBe("ab");
    expect(filtered("a\x1b[>0;1mb")).toBe("ab");
    expect(filtered("a\x1b[12\nb")).toBe("a\nb");
  });
});
