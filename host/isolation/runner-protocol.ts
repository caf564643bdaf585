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

/** Fields in order; a key may repeat (arg, env, mkdir). Values must not contain NUL. */
export function encodeFields(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of fields) {
    if (key.includes("=") || key.includes("\0") || value.includes("\0")) {
      throw new Error(`runner field ${JSON.stringify(key)} has a NUL or '=' where it cannot`);
    }
    parts.push(Buffer.from(`${key}=${value}\0`, "utf8"));
  }
  return Buffer.concat(parts);
}

export function decodeFields(payload: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  for (const item of payload.toString("utf8").split("\0")) {
    const eq = item.indexOf("=");
    if (eq > 0) fields.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return fields;
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
