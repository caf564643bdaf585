/**
 * What `codebeaker run` lets through from a program to the user's terminal: text, tabs and line breaks, and the
 * colours and styles of SGR (`ESC [ … m`). Every other escape sequence is dropped whole, whatever chunk it
 * arrives in: OSC (the window title, the clipboard through OSC 52, hyperlinks), DCS, APC, PM and SOS strings,
 * cursor, screen and mode control (CSI other than SGR), other ESC sequences (a full reset, charsets), the other
 * C0 controls (SO/SI switch charsets), and the C1 controls some terminals read as those introducers (U+0080 to
 * U+009F in UTF-8). Used only when the output goes to a terminal: a pipe or a file gets the program's bytes as is.
 */
export class TerminalFilter {
  private state: State = "text";
  /** The CSI sequence seen so far, kept in case it turns out to be SGR. */
  private sequence: number[] = [];

  push(chunk: Buffer): Buffer {
    const out: number[] = [];
    for (const byte of chunk) this.step(byte, out);
    return Buffer.from(out);
  }

  private step(byte: number, out: number[]): void {
    switch (this.state) {
      case "text":
        if (byte === ESC) this.state = "escape";
        else if (byte === 0xc2) this.state = "c2";
        else if (byte >= 0x20 || KEPT_CONTROLS.has(byte)) out.push(byte);
        return;
      case "c2": // the lead byte of U+0080-U+00BF: U+0080-U+009F are C1 controls
        this.state = "text";
        if (byte === 0x9b) this.startCsi();
        else if (C1_STRINGS.has(byte)) this.state = "string";
        else if (byte < 0x80 || byte > 0x9f) {
          out.push(0xc2);
          this.step(byte, out);
        }
        return;
      case "escape":
        if (byte === 0x5b)
          this.startCsi(); // [
        else if (ESC_STRINGS.has(byte)) this.state = "string";
        else if (byte >= 0x20 && byte <= 0x2f)
          this.state = "escapeIntermediate"; // ESC ( B, ESC # 8, …
        else this.state = "text"; // ESC c, ESC 7, …: dropped with their final byte
        return;
      case "escapeIntermediate":
        if (byte < 0x20 || byte > 0x2f) this.state = "text";
        return;
      case "csi":
        if (byte >= 0x20 && byte <= 0x3f) {
          if (this.sequence.length < MAX_SGR_BYTES) this.sequence.push(byte);
          else this.state = "dropCsi";
        } else if (byte >= 0x40 && byte <= 0x7e) {
          if (byte === 0x6d && this.sequence.every((b) => SGR_PARAMETERS.has(b))) out.push(ESC, 0x5b, ...this.sequence, byte);
          this.state = "text";
        } else {
          this.state = "text"; // not a sequence after all: what breaks it counts as text
          this.step(byte, out);
        }
        return;
      case "dropCsi":
        if (byte >= 0x40 && byte <= 0x7e) this.state = "text";
        else if (byte < 0x20 || byte > 0x7e) {
          this.state = "text";
          this.step(byte, out);
        }
        return;
      case "string": // until BEL or ST (ESC \ or U+009C)
        if (byte === BEL) this.state = "text";
        else if (byte === ESC) this.state = "stringEscape";
        else if (byte === 0xc2) this.state = "stringC2";
        return;
      case "stringEscape":
        this.state = "text";
        if (byte !== 0x5c) {
          this.step(ESC, out); // a new sequence ends the string
          this.step(byte, out);
        }
        return;
      case "stringC2":
        this.state = byte === 0x9c ? "text" : "string";
        return;
    }
  }

  private startCsi(): void {
    this.state = "csi";
    this.sequence = [];
  }
}

type State = "text" | "c2" | "escape" | "escapeIntermediate" | "csi" | "dropCsi" | "string" | "stringEscape" | "stringC2";

const ESC = 0x1b;
const BEL = 0x07;
/** Tab, line feed, vertical tab, form feed, carriage return, backspace and bell: they move or ring, nothing more. */
const KEPT_CONTROLS = new Set([0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
/** OSC `]`, DCS `P`, SOS `X`, PM `^`, APC `_`: strings a terminal acts on, up to their terminator. */
const ESC_STRINGS = new Set([0x5d, 0x50, 0x58, 0x5e, 0x5f]);
/** The same introducers as C1 controls. */
const C1_STRINGS = new Set([0x9d, 0x90, 0x98, 0x9e, 0x9f]);
/** SGR takes numbers separated by `;` (or `:` for sub-parameters); no private prefix, no intermediates. */
const SGR_PARAMETERS = new Set([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b]);
const MAX_SGR_BYTES = 64;
