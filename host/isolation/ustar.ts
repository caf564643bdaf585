/**
 * The archive a sync sends to cb-runner's untar request: POSIX ustar, regular files only, with a pax 'x' header
 * for a path too long for ustar's name and prefix fields. Built in memory: a sync is in memory already.
 */

const BLOCK = 512;
const MAX_SIZE = 0o77777777777; // 11 octal digits

export interface ArchiveFile {
  /** Relative to /workspace, with '/' separators. */
  name: string;
  content: Buffer;
}

export function packArchive(files: readonly ArchiveFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    if (file.content.length > MAX_SIZE) throw new Error(`${file.name}: ${file.content.length} bytes is past what one archive entry holds`);
    const split = splitName(file.name);
    if (!split) {
      const record = paxRecord("path", file.name);
      parts.push(header({ name: "PaxHeader", prefix: "", size: record.length, type: "x" }), padded(record));
    }
    parts.push(header({ ...(split ?? { name: "", prefix: "" }), size: file.content.length, type: "0" }), padded(file.content));
  }
  parts.push(Buffer.alloc(2 * BLOCK)); // the end of the archive
  return Buffer.concat(parts);
}

/** ustar keeps a path as prefix (155 bytes) + '/' + name (100 bytes); undefined when it does not fit. */
function splitName(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { name, prefix };
  }
  return undefined;
}

/** "LEN key=value\n", where LEN counts the whole record, itself included. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return Buffer.from(`${length}${body}`);
}

function header(entry: { name: string; prefix: string; size: number; type: "0" | "x" }): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(entry.name, 0, 100, "utf8");
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 1000);
  writeOctal(block, 116, 8, 1000);
  writeOctal(block, 124, 12, entry.size);
  writeOctal(block, 136, 12, 0);
  block.write(entry.type, 156, 1, "latin1");
  block.write("ustar\u000000", 257, 8, "latin1");
  block.write(entry.prefix, 345, 155, "utf8");
  block.fill(" ", 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeOctal(block, 148, 7, sum); // six digits, a NUL, and the space already there
  block[154] = 0;
  return block;
}

/** Octal digits, zero-padded to fill the field but its last byte (a NUL). */
function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(value.toString(8).padStart(length - 1, "0"), offset, length - 1, "latin1");
}

function padded(data: Buffer): Buffer {
  const rest = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return rest ? Buffer.concat([data, Buffer.alloc(rest)]) : data;
}
