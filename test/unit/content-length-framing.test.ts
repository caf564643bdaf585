import { describe, expect, it } from "vitest";
import { ContentLengthReader, type Frame, frame, MAX_HEADER_BYTES } from "../../host/transports/content-length-framing";

/** Feeds `input` to a reader in chunks of `chunkSize` bytes and returns the frames it read. */
function read(input: Buffer | string, chunkSize = Infinity, maxMessageBytes = 1 << 20): Frame[] {
  const frames: Frame[] = [];
  const reader = new ContentLengthReader(maxMessageBytes, (item) => frames.push(item));
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const step = Math.min(chunkSize, bytes.length || 1);
  for (let at = 0; at < bytes.length; at += step) reader.push(bytes.subarray(at, at + step));
  return frames;
}

const message = (text: string) => `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;

describe("ContentLengthReader: well-formed frames", () => {
  it("reads consecutive messages from one chunk", () => {
    expect(read(message('{"a":1}') + message('{"b":"é"}'))).toEqual([{ text: '{"a":1}' }, { text: '{"b":"é"}' }]);
  });

  it("reads the same messages one byte at a time (a multi-byte character split too)", () => {
    const input = message('{"a":"ü€"}') + message("[]");
    expect(read(input, 1)).toEqual([{ text: '{"a":"ü€"}' }, { text: "[]" }]);
  });

  it("takes other header lines, any case, LF-only line ends and line breaks between messages", () => {
    const input =
      "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 2\r\n\r\n{}" + "\r\n" + "CONTENT-LENGTH: 4\n\n[1] ";
    expect(read(input)).toEqual([{ text: "{}" }, { text: "[1] " }]);
  });

  it("writes frames it reads back", () => {
    expect(read(Buffer.concat([frame('{"x":"ñ"}'), frame("1")]), 3)).toEqual([{ text: '{"x":"ñ"}' }, { text: "1" }]);
  });

  it("delivers an empty body (whose JSON then fails to parse)", () => {
    expect(read("Content-Length: 0\r\n\r\n" + message("{}"))).toEqual([{ text: "" }, { text: "{}" }]);
  });

  it("reads a 50 MB message arriving in 64 KB chunks", () => {
    const big = JSON.stringify({ pad: "x".repeat(50 << 20) });
    const frames = read(message(big) + message("{}"), 64 << 10, 64 << 20);
    expect(frames.map((item) => ("text" in item ? item.text.length : item.malformed))).toEqual([big.length, 2]);
  });
});

describe("ContentLengthReader: a malformed frame costs one message, not the stream", () => {
  it.each([
    [
      "a Content-Length that is not a number",
      "Content-Length: ten\r\n\r\n{}",
      'header: Content-Length must be a whole number of bytes (got "ten")',
    ],
    ["a negative Content-Length", "Content-Length: -5\r\n\r\n{}", 'header: Content-Length must be a whole number of bytes (got "-5")'],
    ["no Content-Length", "Content-Lenght: 2\r\n\r\n{}", "header: no Content-Length"],
    ["a line that is no header", "hello there\r\n\r\n", 'header: "hello there" is not a "Name: value" header line'],
    [
      "a body without any header",
      '{"jsonrpc":"2.0","id":1,"method":"session.list"}\r\n\r\n',
      'header: "{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"session.list\\"}" is not a "Name: value" header line',
    ],
    ["two different lengths", "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "header: two different Content-Length values"],
  ])("%s: reports it, then reads the next message", (_what, bad, why) => {
    expect(read(bad + message('{"next":true}'))).toEqual([{ malformed: why }, { text: '{"next":true}' }]);
    expect(read(bad + message('{"next":true}'), 1)).toEqual([{ malformed: why }, { text: '{"next":true}' }]);
  });

  it("skips the body of a message over the size limit, without holding it", () => {
    const frames = read(message("x".repeat(5000)) + message("{}"), 100, 1000);
    expect(frames).toEqual([{ malformed: "header: Content-Length 5000 is over the 1000-byte limit of a message" }, { text: "{}" }]);
  });

  it("gives up on a header with no end after MAX_HEADER_BYTES, and finds the next message", () => {
    const frames = read("x".repeat(3 * MAX_HEADER_BYTES) + message("{}"), 1000);
    expect(frames).toEqual([{ malformed: `no blank line ends the header within ${MAX_HEADER_BYTES} bytes` }, { text: "{}" }]);
  });

  it("reads past 50 MB of bytes with no header, in 64 KB chunks, to the next message", () => {
    const frames = read(`${"{".repeat(50 << 20)}${message("{}")}`, 64 << 10);
    expect(frames).toEqual([{ malformed: `no blank line ends the header within ${MAX_HEADER_BYTES} bytes` }, { text: "{}" }]);
  });

  it("finds the next message after a body shorter than its Content-Length said", () => {
    // The first frame swallows the start of the second; the rest of the second is lost; the third is read.
    const frames = read("Content-Length: 30\r\n\r\n{}" + message('{"lost":1}') + message('{"third":3}'));
    expect(frames.at(-1)).toEqual({ text: '{"third":3}' });
  });

  it("finds the next message after a body longer than its Content-Length said", () => {
    const frames = read("Content-Length: 1\r\n\r\n{}" + message('{"next":2}'));
    expect(frames).toEqual([
      { text: "{" },
      { malformed: 'header: "}Content-Length: 10" is not a "Name: value" header line' },
      { text: '{"next":2}' },
    ]);
  });

  it("reports a body that is not UTF-8", () => {
    const bad = Buffer.concat([Buffer.from("Content-Length: 2\r\n\r\n"), Buffer.from([0xc3, 0x28]), Buffer.from(message("{}"))]);
    expect(read(bad)).toEqual([{ malformed: "body: the message is not valid UTF-8" }, { text: "{}" }]);
  });
});
