import { describe, expect, it } from "vitest";
import {
  type DecodedFrame,
  decodeFields,
  decodeName,
  encodeFields,
  encodeFrame,
  encodeName,
  Frame,
  FrameDecoder,
} from "../../host/isolation/runner-protocol";

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** A few frames of different kinds: empty, text, binary with every byte value, and one past 64 KiB. */
const sample: [string, Buffer][] = [
  [Frame.Hello, Buffer.alloc(0)],
  [Frame.Stdout, Buffer.from("hello\n")],
  [Frame.Data, allBytes],
  [Frame.Stderr, Buffer.alloc(0)],
  [Frame.Result, Buffer.alloc(70_000, 0x61)],
];

function plain(frames: DecodedFrame[]): [string, string][] {
  return frames.map((frame) => [frame.type, frame.payload.toString("hex")]);
}

const expected = sample.map(([type, payload]): [string, string] => [type, payload.toString("hex")]);
const stream = Buffer.concat(sample.map(([type, payload]) => encodeFrame(type, payload)));

describe("encodeFrame", () => {
  it("writes the type byte, a 4-byte big-endian length, then the payload", () => {
    expect(encodeFrame("Q", Buffer.from("abc"))).toEqual(Buffer.from([0x51, 0, 0, 0, 3, 0x61, 0x62, 0x63]));
  });

  it("writes the length of a large payload in big-endian order", () => {
    const frame = encodeFrame("d", Buffer.alloc(0x010203));
    expect([...frame.subarray(0, 5)]).toEqual([0x64, 0x00, 0x01, 0x02, 0x03]);
    expect(frame.length).toBe(5 + 0x010203);
  });

  it("writes a frame without payload as a header of length 0", () => {
    expect(encodeFrame(Frame.Kill)).toEqual(Buffer.from([0x4b, 0, 0, 0, 0]));
  });
});

describe("FrameDecoder", () => {
  it("decodes several frames that arrive in one chunk", () => {
    expect(plain(new FrameDecoder().push(stream))).toEqual(expected);
  });

  it("decodes the same frames however the stream is split in two", () => {
    for (let cut = 0; cut <= stream.length; cut += cut < 400 ? 1 : 997) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      expect(plain(frames), `cut at byte ${cut}`).toEqual(expected);
    }
  });

  it("decodes small frames split at every byte boundary", () => {
    const small = Buffer.concat([encodeFrame("o", Buffer.from("ab")), encodeFrame("h"), encodeFrame("e", Buffer.from("xyz"))]);
    for (let cut = 0; cut <= small.length; cut++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(small.subarray(0, cut)), ...decoder.push(small.subarray(cut))];
      expect(plain(frames), `cut at byte ${cut}`).toEqual([
        ["o", "6162"],
        ["h", ""],
        ["e", "78797a"],
      ]);
    }
  });

  it("decodes a stream fed one byte at a time", () => {
    const head = Buffer.concat(sample.slice(0, 4).map(([type, payload]) => encodeFrame(type, payload)));
    const decoder = new FrameDecoder();
    const frames: DecodedFrame[] = [];
    for (let i = 0; i < head.length; i++) frames.push(...decoder.push(head.subarray(i, i + 1)));
    expect(plain(frames)).toEqual(expected.slice(0, 4));
  });

  it("returns nothing until a frame is complete", () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame("o", Buffer.from("12345"));
    expect(decoder.push(frame.subarray(0, 3))).toEqual([]);
    expect(decoder.push(frame.subarray(3, 9))).toEqual([]);
    expect(plain(decoder.push(frame.subarray(9)))).toEqual([["o", Buffer.from("12345").toString("hex")]]);
  });

  it("decodes a run of empty-payload frames", () => {
    const frames = new FrameDecoder().push(Buffer.concat([encodeFrame("h"), encodeFrame("K"), encodeFrame("h")]));
    expect(plain(frames)).toEqual([
      ["h", ""],
      ["K", ""],
      ["h", ""],
    ]);
  });
});

describe("encodeFields and decodeFields", () => {
  it("writes key=value pairs each ended by NUL, in order, with repeated keys", () => {
    expect(
      encodeFields([
        ["op", "run"],
        ["arg", "a"],
        ["arg", "b"],
      ]).toString("latin1"),
    ).toBe("op=run\0arg=a\0arg=b\0");
  });

  it("writes nothing for no fields", () => {
    expect(encodeFields([]).length).toBe(0);
  });

  it("round-trips values with '=', spaces, newlines and non-ASCII text", () => {
    const fields: [string, string][] = [
      ["env", "PATH=/usr/bin:/bin"],
      ["cwd", "/workspace/my dir"],
      ["note", "line1\nline2"],
      ["name", "naïve – 日本"],
      ["empty", ""],
    ];
    expect([...decodeFields(encodeFields(fields))]).toEqual(fields);
  });

  it("keeps the last value of a repeated key when decoding", () => {
    expect(decodeFields(Buffer.from("k=1\0k=2\0")).get("k")).toBe("2");
  });

  it("ignores items without a key", () => {
    expect([...decodeFields(Buffer.from("=x\0noequals\0a=1\0\0"))]).toEqual([["a", "1"]]);
  });

  it("refuses a NUL in a value", () => {
    expect(() => encodeFields([["arg", "a\0b"]])).toThrow(/NUL or '='/);
  });

  it("refuses a NUL or '=' in a key", () => {
    expect(() => encodeFields([["a=b", "x"]])).toThrow(/"a=b"/);
    expect(() => encodeFields([["a\0", "x"]])).toThrow();
  });
});

describe("file names that are not UTF-8", () => {
  const names = [
    Buffer.from("plain.txt"),
    Buffer.from("héllo ✓ 😀.py"),
    Buffer.from("\uFFFD genuine replacement character"),
    Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e, 0x74]), // bad\xff.t
    Buffer.from([0xc3, 0x28]), // a lead byte without its continuation
    Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate, which UTF-8 forbids
    Buffer.from([0xf0, 0x9f, 0x98]), // an emoji cut short
    Buffer.from([0x80, 0x81, 0xfe, 0xff]),
  ];

  it("cross as text and come back as the same bytes", () => {
    for (const bytes of names) expect(encodeName(decodeName(bytes)).equals(bytes)).toBe(true);
  });

  it("escape each byte that is not UTF-8 as a lone surrogate U+DC80-U+DCFF, and leave valid text alone", () => {
    expect(decodeName(Buffer.from([0x62, 0xff, 0x63]))).toBe("b\udcffc");
    expect(decodeName(Buffer.from([0xc3, 0x28]))).toBe("\udcc3(");
    expect(decodeName(Buffer.from("héllo ✓ 😀"))).toBe("héllo ✓ 😀");
    expect(JSON.stringify(decodeName(Buffer.from([0xff])))).toBe('"\\udcff"');
    expect(encodeName(JSON.parse('"bad\\udcff"') as string)).toEqual(Buffer.from([0x62, 0x61, 0x64, 0xff]));
  });

  it("carries escaped names through request and result fields", () => {
    const decoded = decodeFields(encodeFields([["path", "/workspace/b\udcffd"]]));
    expect(decoded.get("path")).toBe("/workspace/b\udcffd");
    expect(encodeFields([["path", "b\udcff"]])).toEqual(Buffer.from([...Buffer.from("path=b"), 0xff, 0]));
  });
});
