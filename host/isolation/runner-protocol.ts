/**
 * The TypeScript side of cb-runner's wire format (see runner/cb-runner.c): frames of
 * 1 byte type + 4 bytes big-endian length + payload; requests and results are NUL-terminated "key=value" fields.
 */

export const Frame = {
  /** host → runner */
  Request: "Q",
  FileContent: "D",
  Stdin: "I",
  Kill: "K",
  /** runner → host */
  Hello: "h",
  Stdout: "o",
  Stderr: "e",
  Data: "d",
  Result: "r",
} as const;

export interface DecodedFrame {
  type: string;
  payload: Buffer;
}

export function encodeFrame(type: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 1, "latin1");
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/**
 * File names are bytes; the protocol's strings are Unicode. A byte that is not part of valid UTF-8 (0x80-0xFF)
 * crosses as the lone surrogate U+DC80-U+DCFF, as Python's "surrogateescape" does (PEP 383), and turns back into
 * that byte on the way in: a name that is not UTF-8 can be listed, then read or deleted by what the listing said.
 * Valid UTF-8 never decodes to a lone surrogate, so the two cannot be confused; JSON writes one as `\udcff`.
 */
export function decodeName(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  if (!text.includes("\ufffd") || Buffer.from(text, "utf8").equals(bytes)) return text;
  let out = "";
  for (let at = 0; at < bytes.length;) {
    const length = utf8SequenceLength(bytes, at);
    if (length) {
      out += bytes.toString("utf8", at, at + length);
      at += length;
    } else out += String.fromCharCode(0xdc00 + bytes[at++]!);
  }
  return out;
}

/** The bytes of a name: UTF-8, with each escaped byte (a lone U+DC80-U+DCFF) back as itself. */
export function encodeName(name: string): Buffer {
  if (!/[\udc80-\udcff]/.test(name)) return Buffer.from(name, "utf8");
  const parts: Buffer[] = [];
  let plain = "";
  for (let at = 0; at < name.length; at++) {
    const unit = name.charCodeAt(at);
    const paired = unit >= 0xdc00 && unit <= 0xdfff && at > 0 && isHighSurrogate(name.charCodeAt(at - 1));
    if (unit >= 0xdc80 && unit <= 0xdcff && !paired) {
      parts.push(Buffer.from(plain, "utf8"), Buffer.of(unit - 0xdc00));
      plain = "";
    } else plain += name[at];
  }
  parts.push(Buffer.from(plain, "utf8"));
  return Buffer.concat(parts);
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/** The length of the valid UTF-8 sequence at `at` (1-4), or 0 when the byte there starts none. */
function utf8SequenceLength(bytes: Buffer, at: number): number {
  const first = bytes[at]!;
  if (first < 0x80) return 1;
  const [length, min, max] =
    first >= 0xc2 && first <= 0xdf
      ? [2, 0x80, 0xbf]
      : first === 0xe0
        ? [3, 0xa0, 0xbf]
        : first === 0xed
          ? [3, 0x80, 0x9f] // not the surrogates
          : first >= 0xe1 && first <= 0xef
            ? [3, 0x80, 0xbf]
            : first === 0xf0
              ? [4, 0x90, 0xbf]
              : first >= 0xf1 && first <= 0xf3
                ? [4, 0x80, 0xbf]
                : first === 0xf4
                  ? [4, 0x80, 0x8f]
                  : [0, 0, 0];
  if (!length || at + length > bytes.length) return 0;
  if (bytes[at + 1]! < min || bytes[at + 1]! > max) return 0;
  for (let next = at + 2; next < at + length; next++) if (bytes[next]! < 0x80 || bytes[next]! > 0xbf) return 0;
  return length;
}

/** Fields in order; a key may repeat (arg, env, mkdir). Values must not contain NUL; names cross as decodeName says. */
export function encodeFields(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of fields) {
    if (key.includes("=") || key.includes("\0") || value.includes("\0")) {
      throw new Error(`runner field ${JSON.stringify(key)} has a NUL or '=' where it cannot`);
    }
    parts.push(Buffer.from(`${key}=`, "utf8"), encodeName(value), Buffer.of(0));
  }
  return Buffer.concat(parts);
}

export function decodeFields(payload: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  for (const item of splitNul(payload)) {
    const eq = item.indexOf(0x3d); // '='
    if (eq > 0) fields.set(item.toString("utf8", 0, eq), decodeName(item.subarray(eq + 1)));
  }
  return fields;
}

/** A payload's NUL-separated parts, as bytes (a name is decoded on its own, by decodeName). */
export function splitNul(payload: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let nul = payload.indexOf(0); nul !== -1; nul = payload.indexOf(0, start)) {
    parts.push(payload.subarray(start, nul));
    start = nul + 1;
  }
  parts.push(payload.subarray(start));
  return parts;
}

/** Splits a byte stream into frames, however the stream was chunked. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): DecodedFrame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: DecodedFrame[] = [];
    while (this.buffered.length >= 5) {
      const length = this.buffered.readUInt32BE(1);
      if (this.buffered.length < 5 + length) break;
      frames.push({
        type: this.buffered.toString("latin1", 0, 1),
        payload: this.buffered.subarray(5, 5 + length),
      });
      this.buffered = this.buffered.subarray(5 + length);
    }
    return frames;
  }
}
