/**
 * The stdio framing of the Language Server Protocol's base protocol: `Content-Length: N` (other header lines
 * allowed), a blank line, then N bytes of UTF-8 JSON.
 *
 * A frame that cannot be read costs that one message, never the stream: its error is reported, then reading
 * resumes at the next `Content-Length:`. Every byte is looked at a bounded number of times (a header is at most
 * MAX_HEADER_BYTES; a body is copied once into its own buffer), so a large message costs its size, not its
 * size squared — and a message whose header never ends (no blank line) does not make each new chunk rescan it.
 */

/** One message's text, or why the bytes there were not a message. */
export type Frame = { text: string } | { malformed: string };

export const MAX_HEADER_BYTES = 8 << 10;
const EMPTY = Buffer.alloc(0);
const HEADER_END = /\r?\n\r?\n/;
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;
const NEXT_HEADER = /content-length:/i;
const GLUED_HEADER = /[^\r\n]content-length:/i;
const NEXT_HEADER_LENGTH = "content-length:".length;
const utf8 = new TextDecoder("utf-8", { fatal: true });

type State =
  | { kind: "header"; head: Buffer }
  | { kind: "body"; body: Buffer; filled: number }
  | { kind: "skip"; remaining: number }
  | { kind: "resync"; carry: Buffer };

export function frame(text: string): Buffer {
  const body = Buffer.from(text, "utf8");
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, "ascii"), body]);
}

export class ContentLengthReader {
  private state: State = { kind: "header", head: EMPTY };

  constructor(
    private readonly maxMessageBytes: number,
    private readonly onFrame: (frame: Frame) => void,
  ) {}

  push(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) data = this.consume(data);
  }

  /** Consumes what it can of `data` in the current state; returns the rest. */
  private consume(data: Buffer): Buffer {
    const state = this.state;
    switch (state.kind) {
      case "header":
        return this.readHeader(state.head, data);
      case "body": {
        const taken = data.copy(state.body, state.filled);
        state.filled += taken;
        if (state.filled === state.body.length) {
          this.state = { kind: "header", head: EMPTY };
          this.deliver(state.body);
        }
        return data.subarray(taken);
      }
      case "skip": {
        const skipped = Math.min(state.remaining, data.length);
        state.remaining -= skipped;
        if (state.remaining === 0) this.state = { kind: "header", head: EMPTY };
        return data.subarray(skipped);
      }
      case "resync":
        return this.resync(Buffer.concat([state.carry, data]));
    }
  }

  private readHeader(head: Buffer, data: Buffer): Buffer {
    if (head.length === 0) {
      // Line breaks between messages (some clients end a body with one) are not a header.
      let start = 0;
      while (start < data.length && (data[start] === 0x0d || data[start] === 0x0a)) start++;
      data = data.subarray(start);
      if (data.length === 0) return data;
    }
    const room = MAX_HEADER_BYTES - head.length;
    const joined = Buffer.concat([head, data.subarray(0, room)]);
    const end = HEADER_END.exec(joined.toString("latin1"));
    if (!end) {
      if (joined.length < MAX_HEADER_BYTES) {
        this.state = { kind: "header", head: joined };
        return EMPTY;
      }
      this.malformed(`no blank line ends the header within ${MAX_HEADER_BYTES} bytes`);
      return this.resync(Buffer.concat([joined.subarray(1), data.subarray(room)]));
    }
    const rest = data.subarray(end.index + end[0].length - head.length);
    const header = joined.toString("latin1", 0, end.index);
    const length = contentLength(header);
    if (typeof length === "string") {
      this.malformed(length);
      // A Content-Length glued to the end of a line starts a message, after the rest of one that a wrong
      // Content-Length cut in two: read from there. Otherwise the whole header block is the bad message.
      const glued = GLUED_HEADER.exec(header);
      return this.resync(glued ? Buffer.concat([joined.subarray(glued.index + 1), data.subarray(room)]) : rest);
    }
    if (length > this.maxMessageBytes) {
      this.malformed(`header: Content-Length ${length} is over the ${this.maxMessageBytes}-byte limit of a message`);
      this.state = { kind: "skip", remaining: length };
      return rest;
    }
    this.state = { kind: "body", body: Buffer.allocUnsafe(length), filled: 0 };
    if (length === 0) this.consume(EMPTY);
    return rest;
  }

  /** Drops bytes up to the next `Content-Length:`, where the next message starts. */
  private resync(data: Buffer): Buffer {
    const at = data.toString("latin1").search(NEXT_HEADER);
    if (at < 0) {
      this.state = { kind: "resync", carry: data.subarray(Math.max(0, data.length - (NEXT_HEADER_LENGTH - 1))) };
      return EMPTY;
    }
    this.state = { kind: "header", head: EMPTY };
    return data.subarray(at);
  }

  private deliver(body: Buffer): void {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      this.malformed("body: the message is not valid UTF-8");
      return;
    }
    this.onFrame({ text });
  }

  private malformed(reason: string): void {
    this.onFrame({ malformed: reason });
  }
}

/** The body's length a header announces, or what is wrong with the header. */
function contentLength(header: string): number | string {
  let length: number | undefined;
  for (const line of header.split(/\r?\n/)) {
    const field = HEADER_LINE.exec(line);
    if (!field) return `header: ${JSON.stringify(line.slice(0, 60))} is not a "Name: value" header line`;
    if (field[1]!.toLowerCase() !== "content-length") continue;
    if (!/^\d{1,15}$/.test(field[2]!))
      return `header: Content-Length must be a whole number of bytes (got ${JSON.stringify(field[2]!.slice(0, 40))})`;
    if (length !== undefined && length !== Number(field[2])) return "header: two different Content-Length values";
    length = Number(field[2]);
  }
  return length ?? "header: no Content-Length";
}
