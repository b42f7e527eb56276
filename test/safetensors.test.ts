import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../src/errors.js";
import {
  MAX_HEADER_BYTES,
  headerLengthFromPrefix,
  mapBounded,
  parseSafetensorsHeaderBytes,
  readSafetensorsHeader,
  summarizeHeaders,
} from "../src/sources/safetensors.js";
import { buildSafetensors, headerFor, rawSafetensors, type TensorSpec } from "../fixtures/safetensors/build.js";
import { inputError } from "./helpers/input-error.js";

const FIX = join(import.meta.dirname, "..", "fixtures", "safetensors");
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "vram-plan-st-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeTmp(name: string, bytes: Uint8Array): Promise<string> {
  const p = join(tmp, name);
  await writeFile(p, bytes);
  return p;
}

function syncInputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected an InputError");
}

function headerBytes(h: Record<string, unknown> | string): Uint8Array {
  return new TextEncoder().encode(typeof h === "string" ? h : JSON.stringify(h));
}

describe("readSafetensorsHeader", () => {
  it("reads the static tiny fixture", async () => {
    const path = join(FIX, "tiny.safetensors");
    const header = await readSafetensorsHeader(path);
    expect(header.path).toBe(path);
    expect(header.metadata).toEqual({ format: "pt" });
    expect(header.tensors).toEqual([
      { name: "a.weight", dtype: "BF16", shape: [4, 4], bytes: 32 },
      { name: "b.bias", dtype: "F32", shape: [4], bytes: 16 },
      { name: "c.scale", dtype: "F8_E4M3", shape: [2, 3], bytes: 6 },
    ]);
    expect(header.totalBytes).toBe(54);
    expect(header.bytesByDtype).toEqual({ BF16: 32, F32: 16, F8_E4M3: 6 });
  });

  it("handles every listed dtype, including packed 4-bit and scalars", async () => {
    const specs = [
      ["F64", 8], ["F32", 4], ["F16", 2], ["BF16", 2], ["I64", 8], ["I32", 4], ["I16", 2], ["I8", 1],
      ["U8", 1], ["BOOL", 1], ["F8_E4M3", 1], ["F8_E5M2", 1], ["F8_E8M0", 1], ["U32", 4], ["U16", 2], ["U64", 8],
    ] as const;
    const tensors: TensorSpec[] = specs.map(([dtype], i) => ({ name: `t${i}`, dtype, shape: [3, 2] }));
    tensors.push({ name: "fp4", dtype: "F4", shape: [4, 8] }, { name: "i4", dtype: "I4", shape: [2] }, { name: "u4", dtype: "U4", shape: [6] });
    tensors.push({ name: "scalar", dtype: "F32", shape: [] }, { name: "empty", dtype: "BF16", shape: [0, 16] });
    const header = await readSafetensorsHeader(await writeTmp("dtypes.safetensors", buildSafetensors(tensors)));
    for (const [i, [, size]] of specs.entries()) expect(header.tensors[i]?.bytes).toBe(6 * size);
    expect(header.tensors.find((t) => t.name === "fp4")?.bytes).toBe(16);
    expect(header.tensors.find((t) => t.name === "i4")?.bytes).toBe(1);
    expect(header.tensors.find((t) => t.name === "u4")?.bytes).toBe(3);
    expect(header.tensors.find((t) => t.name === "scalar")?.bytes).toBe(4);
    expect(header.tensors.find((t) => t.name === "empty")?.bytes).toBe(0);
    expect(header.totalBytes).toBe(specs.reduce((a, [, s]) => a + 6 * s, 0) + 16 + 1 + 3 + 4);
  });

  it("reads a header bigger than the first read (1 MiB+) without reading the data", async () => {
    const tensors = Array.from({ length: 12000 }, (_, i) => ({ name: `model.layers.${i}.a_rather_long_tensor_name.weight`, dtype: "BF16", shape: [8, 8] }));
    const bytes = buildSafetensors(tensors);
    const path = await writeTmp("big-header.safetensors", bytes);
    const header = await readSafetensorsHeader(path);
    expect(header.tensors).toHaveLength(12000);
    expect(header.totalBytes).toBe(12000 * 128);
  });

  it("reads tensors listed out of data order", async () => {
    const header = {
      b: { dtype: "F32", shape: [2], data_offsets: [8, 16] },
      a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
    };
    const parsedHeader = await readSafetensorsHeader(await writeTmp("unordered.safetensors", rawSafetensors(header, 16)));
    expect(parsedHeader.totalBytes).toBe(16);
  });

  it("refuses a length prefix of 2^60", async () => {
    const path = join(FIX, "huge-length.safetensors");
    const err = await inputError(readSafetensorsHeader(path));
    expect(err.subject).toBe(path);
    expect(err.message).toBe(`${path}: not a valid safetensors file: header length 1152921504606846976 bytes is over the 32 MiB limit`);
  });

  it("refuses a header that is not JSON", async () => {
    const path = join(FIX, "not-json.safetensors");
    const err = await inputError(readSafetensorsHeader(path));
    // Its header is the 24 bytes "this is not json at all!" after the 8-byte length: the fault is its first byte.
    expect(err.message).toBe(`${path}: not a valid safetensors file: header is not JSON (byte 8 of the file: unexpected character, expected a value)`);
    expect(err.message).not.toContain("\n");
  });

  it("refuses a truncated file", async () => {
    const p = join(FIX, "truncated.safetensors");
    const e = await inputError(readSafetensorsHeader(p));
    expect(e.message).toBe(`${p}: not a valid safetensors file: header length 4096 bytes runs past the end of the 68-byte file (truncated?)`);
  });

  it("refuses offsets beyond the file", async () => {
    const p = join(FIX, "offsets-beyond.safetensors");
    const e = await inputError(readSafetensorsHeader(p));
    expect(e.message).toBe(`${p}: not a valid safetensors file: tensor "x" data_offsets [0, 4096] run past the 16-byte data section`);
  });

  it("refuses a file shorter than the length prefix, and a missing file", async () => {
    const path = await writeTmp("short.safetensors", new Uint8Array([1, 2, 3]));
    expect((await inputError(readSafetensorsHeader(path))).message).toBe(`${path}: not a valid safetensors file: file is 3 bytes, shorter than the 8-byte length prefix`);
    const missing = join(tmp, "nope.safetensors");
    expect((await inputError(readSafetensorsHeader(missing))).message).toBe(`${missing}: cannot read (no such file)`);
  });

  it("refuses a zero-length header and an empty file", async () => {
    const path = await writeTmp("zero.safetensors", new Uint8Array(8));
    expect((await inputError(readSafetensorsHeader(path))).message).toContain("header length 0 bytes is too short");
    const e = await writeTmp("empty.safetensors", new Uint8Array(0));
    expect((await inputError(readSafetensorsHeader(e))).message).toContain("file is 0 bytes");
  });
});

describe("parseSafetensorsHeaderBytes: hostile headers", () => {
  const P = "x.safetensors";
  // 64 bytes of data follow every header below.
  const parse = (h: Record<string, unknown> | string, data = 64): InputError => {
    const b = headerBytes(h);
    return syncInputError(() => parseSafetensorsHeaderBytes(b, 8 + b.length + data, P));
  };
  const cases: [string, Record<string, unknown> | string, string][] = [
    ["a JSON array", "[1,2]", "header is not a JSON object"],
    ["invalid UTF-8", "\u0000", "header is not"],
    ["an unknown dtype", { t: { dtype: "F128", shape: [1], data_offsets: [0, 16] } }, `tensor "t" has unknown dtype "F128"`],
    ["a missing dtype", { t: { shape: [1], data_offsets: [0, 4] } }, `tensor "t" has no dtype`],
    ["a negative dimension", { t: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, `tensor "t" shape is not a list of non-negative integers`],
    ["a fractional dimension", { t: { dtype: "F32", shape: [1.5], data_offsets: [0, 6] } }, `tensor "t" shape is not a list`],
    ["a string shape", { t: { dtype: "F32", shape: "4", data_offsets: [0, 16] } }, `tensor "t" shape is not a list`],
    ["negative offsets", { t: { dtype: "F32", shape: [1], data_offsets: [-4, 0] } }, `tensor "t" data_offsets is not [start, end]`],
    ["three offsets", { t: { dtype: "F32", shape: [1], data_offsets: [0, 4, 8] } }, `tensor "t" data_offsets is not [start, end]`],
    ["end before start", { t: { dtype: "U8", shape: [0], data_offsets: [8, 4] } }, `tensor "t" data_offsets [8, 4] end before start`],
    ["offsets past the data", { t: { dtype: "U8", shape: [100], data_offsets: [0, 100] } }, `run past the 64-byte data section`],
    ["size disagreeing with the shape", { t: { dtype: "BF16", shape: [4, 4], data_offsets: [0, 16] } }, `tensor "t" spans 16 bytes but BF16 [4, 4] needs 32`],
    ["an odd number of 4-bit values", { t: { dtype: "F4", shape: [3], data_offsets: [0, 2] } }, `is not a whole number of bytes`],
    ["a huge shape", { t: { dtype: "F64", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, `is too large`],
    [
      "overlapping tensors",
      { a: { dtype: "F32", shape: [4], data_offsets: [0, 16] }, b: { dtype: "F32", shape: [4], data_offsets: [8, 24] } },
      `tensors "a" and "b" overlap in the data section`,
    ],
    ["a tensor that is not an object", { t: 5 }, `tensor "t" is not an object`],
    ["non-string metadata", { __metadata__: { n: 1 } }, `"__metadata__"."n" is not a string`],
  ];
  for (const [what, header, msg] of cases) {
    it(`refuses ${what}`, () => {
      const err = parse(header);
      expect(err.subject).toBe(P);
      expect(err.message.startsWith(`${P}: not a valid safetensors file: `)).toBe(true);
      expect(err.message).toContain(msg);
      expect(err.message).not.toContain("\n");
    });
  }

  it("refuses invalid UTF-8 bytes", () => {
    const b = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
    const e = syncInputError(() => parseSafetensorsHeaderBytes(b, 100, P));
    expect(e.message).toBe(`${P}: not a valid safetensors file: header is not valid UTF-8`);
  });

  it("accepts the space padding the writer adds, gaps and zero-size tensors", () => {
    const h = {
      a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      z: { dtype: "F32", shape: [0], data_offsets: [8, 8] },
      b: { dtype: "F32", shape: [2], data_offsets: [16, 24] },
    };
    const b = headerBytes(JSON.stringify(h) + "     ");
    const header = parseSafetensorsHeaderBytes(b, 8 + b.length + 24, P);
    expect(header.totalBytes).toBe(16);
    expect(header.tensors).toHaveLength(3);
  });
});

describe("headerLengthFromPrefix", () => {
  it("reads a little-endian u64 and checks it against the cap and the file size", () => {
    const { header, dataBytes } = headerFor([{ name: "a", dtype: "F32", shape: [1] }]);
    const f = rawSafetensors(header, dataBytes);
    const n = headerLengthFromPrefix(f.subarray(0, 8), f.length, "f");
    expect(n).toBe(f.length - 8 - 4);
    expect(syncInputError(() => headerLengthFromPrefix(f.subarray(0, 8), n + 7, "f")).message).toContain("runs past the end");
    const big = new Uint8Array(8);
    new DataView(big.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    expect(syncInputError(() => headerLengthFromPrefix(big, 2 ** 40, "f")).message).toContain("over the 32 MiB limit");
  });
});

describe("summarizeHeaders and mapBounded", () => {
  it("adds shards up", () => {
    const mk = (bytes: Record<string, number>, tensors: number) => ({
      path: "p",
      tensors: Array.from({ length: tensors }, (_, i) => ({ name: `t${i}`, dtype: "BF16", shape: [1], bytes: 2 })),
      totalBytes: Object.values(bytes).reduce((a, b) => a + b, 0),
      bytesByDtype: bytes,
      metadata: {},
    });
    expect(summarizeHeaders([mk({ BF16: 10, F32: 4 }, 3), mk({ BF16: 6 }, 2)])).toEqual({
      totalBytes: 20,
      bytesByDtype: { BF16: 16, F32: 4 },
      tensorCount: 5,
      shards: 2,
    });
    expect(summarizeHeaders([])).toEqual({ totalBytes: 0, bytesByDtype: {}, tensorCount: 0, shards: 0 });
  });

  it("keeps order and never exceeds the limit", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapBounded(Array.from({ length: 50 }, (_, i) => i), 4, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, i % 3));
      inFlight--;
      return i * 2;
    });
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(peak).toBe(4);
    expect(await mapBounded([], 4, async (x: number) => x)).toEqual([]);
  });
});
