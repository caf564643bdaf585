import * as vscode from "vscode";

/** What a running program does with the keyboard: its stdin, and Ctrl-C. */
export interface TerminalInput {
  send(text: string): void;
  end(): void;
  interrupt(): void;
}

const DIM = "\x1b[2m";
const RED = "\x1b[31m";
const GREEN = "\x1b[32m";
const RESET = "\x1b[0m";

/**
 * One terminal per run target ("CodeBeaker: divide.py"), reused by its later runs. Output streams in as it comes;
 * what the user types is echoed and sent to the program a line at a time (Backspace edits the line, Enter sends
 * it, Ctrl-D ends the input, Ctrl-C stops the run).
 */
export class RunTerminal implements vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly terminal: vscode.Terminal;
  private input: TerminalInput | undefined;
  private line = "";
  private opened: Promise<void>;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly onClosed: () => void,
  ) {
    let markOpen!: () => void;
    this.opened = new Promise((resolve) => (markOpen = resolve));
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writeEmitter.event,
      open: () => markOpen(),
      close: () => {
        this.closed = true;
        this.input?.interrupt(); // closing the terminal stops what runs in it
        this.onClosed();
      },
      handleInput: (data) => this.handleInput(data),
    };
    this.terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon("beaker") });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Shows the terminal and waits until it can be written to. */
  async show(): Promise<void> {
    this.terminal.show(true);
    await this.opened;
  }

  /** A new run starts: a header line, and the keyboard goes to it. */
  begin(header: string, input: TerminalInput): void {
    this.line = "";
    this.input = input;
    this.writeEmitter.fire(`${DIM}▶ ${header}${RESET}\r\n`);
  }

  /** A line about the run rather than from it (an image build's step while the run waits for its sandbox). */
  note(text: string): void {
    this.writeEmitter.fire(`${DIM}${text.replace(/\r?\n/g, "\r\n")}${RESET}\r\n`);
  }

  write(text: string, stream: "stdout" | "stderr" = "stdout"): void {
    const lines = text.replace(/\r?\n/g, "\r\n");
    this.writeEmitter.fire(stream === "stderr" ? `${RED}${lines}${RESET}` : lines);
  }

  /** The run ended: its summary line, and the keyboard is free again. */
  end(summary: string, success: boolean): void {
    this.input = undefined;
    const [headline = "", ...rest] = summary.split("\n");
    this.writeEmitter.fire(`\r\n${success ? GREEN : RED}${headline}${RESET}\r\n`);
    for (const line of rest) this.writeEmitter.fire(`${DIM}${line}${RESET}\r\n`);
    this.writeEmitter.fire("\r\n");
  }

  private handleInput(data: string): void {
    const input = this.input;
    if (!input) return;
    for (const char of data) {
      if (char === "\r") {
        this.writeEmitter.fire("\r\n");
        input.send(`${this.line}\n`);
        this.line = "";
      } else if (char === "\x7f" || char === "\b") {
        if (this.line) {
          this.line = [...this.line].slice(0, -1).join("");
          this.writeEmitter.fire("\b \b");
        }
      } else if (char === "\x04") {
        if (this.line) input.send(this.line);
        this.line = "";
        input.end();
      } else if (char === "\x03") {
        this.writeEmitter.fire("^C\r\n");
        input.interrupt();
      } else if (char >= " " || char === "\t") {
        this.line += char;
        this.writeEmitter.fire(char);
      }
    }
  }

  dispose(): void {
    this.terminal.dispose();
    this.writeEmitter.dispose();
  }
}

/** The terminals of this window, one per run target. */
export class RunTerminals implements vscode.Disposable {
  private readonly terminals = new Map<string, RunTerminal>();

  for(target: string, label: string): RunTerminal {
    let terminal = this.terminals.get(target);
    if (!terminal || terminal.isClosed) {
      terminal = new RunTerminal(`CodeBeaker: ${label}`, () => this.terminals.delete(target));
      this.terminals.set(target, terminal);
    }
    return terminal;
  }

  dispose(): void {
    for (const terminal of this.terminals.values()) terminal.dispose();
  }
}
