// Reads the header of a .safetensors file without touching the tensor data.
// Format (https://huggingface.co/docs/safetensors): 8 bytes little-endian u64 N, then N bytes of
// UTF-8 JSON {name: {dtype, shape, data_offsets: [start, end]}, "__metadata__"?: {str: str}}, then
// the data buffer; offsets are relative to the start of the data buffer (byte 8 + N).
import { isUtf8 } from "node:buffer";
import { closeSync, readSync } from "node:fs";
import { InputError } from "../errors.js";
import { isObj } from "../core/config-json.js";
import { excerpt } from "../limits.js";
import { limitSizeText, openRegularFile, statRegularFile } from "./read-file.js";
import { jsonSyntaxError } from "./python-json.js";

/** A shard may be any size (the data follows the header); only its header is read. */
const ANY_SIZE = Number.MAX_SAFE_INTEGER;

/** Largest header accepted. Real headers are under 10 MiB (DeepSeek-V3 shards: ~100 KiB). */
// safetensors' own parser allows 100 MB, but parsing a header takes ~9 bytes of memory per byte (a
// 42 MB header of 400,000 tensors peaked at 380 MB), so vram-plan stops at 32 MiB: the largest real
// shards carry a few thousand tensors (~1 MiB of header).
export const MAX_HEADER_BYTES = 32 * 1024 * 1024;

/** Bits per element of each safetensors dtype (safetensors `Dtype::bitsize`). */
export const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E4M3: 8,
  F8_E5M2: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  I64: 64,
  U64: 64,
  F64: 64,
  C64: 64,
  F4: 4,
  I4: 4,
  U4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
};

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: number;
}

export interface SafetensorsHeader {
  path: string;
  tensors: SafetensorsTensor[];
  /** Sum of the tensors' byte sizes (the data buffer less any padding). */
  totalBytes: number;
  bytesByDtype: Record<string, number>;
  metadata: Record<string, string>;
}

function bad(path: string, what: string): InputError {
  return new InputError(path, `${path}: not a valid safetensors file: ${what}`);
}

/** A tensor shape for a message: written out when short, else a short excerpt. */
function shapeText(shape: unknown[]): string {
  return shape.length <= 8 ? `[${shape.join(", ")}]` : excerpt(shape);
}


/**
 * Header length N from the file's first 8 bytes, checked against the cap and the file size.
 * `prefix` must hold at least 8 bytes; `fileSize` is the whole file's size in bytes.
 */
export function headerLengthFromPrefix(prefix: Uint8Array, fileSize: number, path: string): number {
  if (fileSize < 8 || prefix.length < 8) throw bad(path, `file is ${fileSize} bytes, shorter than the 8-byte length prefix`);
  const headerLength = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) throw bad(path, `header length ${headerLength} bytes is over the ${limitSizeText(MAX_HEADER_BYTES)} limit`);
  const len = Number(headerLength);
  if (len < 2) throw bad(path, `header length ${len} bytes is too short for a JSON object`);
  if (len + 8 > fileSize) throw bad(path, `header length ${len} bytes runs past the end of the ${fileSize}-byte file (truncated?)`);
  return len;
}


function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses and validates the JSON header. `buf` is the N header bytes (what follows the 8-byte length
 * prefix, nothing more); `fileSize` is the whole file's size, used to bound the data offsets.
 * Pure: the Hub client calls it with bytes fetched through HTTP range requests.
 */
export function parseSafetensorsHeaderBytes(buf: Uint8Array, fileSize: number, path: string): SafetensorsHeader {
  const dataSize = fileSize - 8 - buf.length;
  if (!Number.isSafeInteger(fileSize) || dataSize < 0) {
    throw bad(path, `header length ${buf.length} bytes runs past the end of the ${fileSize}-byte file (truncated?)`);
  }
  if (!isUtf8(buf)) throw bad(path, "header is not valid UTF-8");
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The header is one line: its fault as a byte of the file (after the 8-byte length prefix).
    // Position and reason only, never the text (python-json.ts).
    const fault = jsonSyntaxError(text);
    throw bad(path, `header is not JSON (byte ${8 + Buffer.byteLength(text.slice(0, fault.offset))} of the file: ${fault.reason})`);
  }
  if (!isObj(parsed)) throw bad(path, "header is not a JSON object");

  const tensors: SafetensorsTensor[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const bytesByDtype: Record<string, number> = {};
  const metadata: Record<string, string> = {};
  let totalBytes = 0;
  let sorted = true;

  for (const name in parsed) {
    const entry = parsed[name];
    if (name === "__metadata__") {
      if (!isObj(entry)) throw bad(path, `"__metadata__" is not an object`);
      for (const key in entry) {
        const value = entry[key];
        if (typeof value !== "string") throw bad(path, `"__metadata__"."${excerpt(key)}" is not a string`);
        metadata[key] = value;
      }
      continue;
    }
    if (!isObj(entry)) throw bad(path, `tensor "${excerpt(name)}" is not an object`);
    const dtype = entry["dtype"];
    const shape = entry["shape"];
    const offsets = entry["data_offsets"];
    if (typeof dtype !== "string") throw bad(path, `tensor "${excerpt(name)}" has no dtype`);
    const bits = DTYPE_BITS[dtype];
    if (bits === undefined) throw bad(path, `tensor "${excerpt(name)}" has unknown dtype "${excerpt(dtype)}"`);
    if (!Array.isArray(shape)) throw bad(path, `tensor "${excerpt(name)}" shape is not a list of non-negative integers`);
    let elements = 1;
    for (const dim of shape as unknown[]) {
      if (!isCount(dim)) throw bad(path, `tensor "${excerpt(name)}" shape is not a list of non-negative integers`);
      elements *= dim;
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1])) {
      throw bad(path, `tensor "${excerpt(name)}" data_offsets is not [start, end] with non-negative integers`);
    }
    const start: number = offsets[0];
    const end: number = offsets[1];
    if (end < start) throw bad(path, `tensor "${excerpt(name)}" data_offsets [${start}, ${end}] end before start`);
    if (end > dataSize) {
      throw bad(path, `tensor "${excerpt(name)}" data_offsets [${start}, ${end}] run past the ${dataSize}-byte data section`);
    }
    if (!Number.isSafeInteger(elements * bits)) throw bad(path, `tensor "${excerpt(name)}" shape ${shapeText(shape)} is too large`);
    const bitCount = elements * bits;
    if (bitCount % 8 !== 0) throw bad(path, `tensor "${excerpt(name)}" ${dtype} shape ${shapeText(shape)} is not a whole number of bytes`);
    const bytes = end - start;
    if (bytes !== bitCount / 8) {
      throw bad(path, `tensor "${excerpt(name)}" spans ${bytes} bytes but ${dtype} ${shapeText(shape)} needs ${bitCount / 8}`);
    }
    tensors.push({ name, dtype, shape: shape as number[], bytes });
    const last = starts.length - 1;
    if (last >= 0 && start < (starts[last] as number)) sorted = false;
    starts.push(start);
    ends.push(end);
    bytesByDtype[dtype] = (bytesByDtype[dtype] ?? 0) + bytes;
    totalBytes += bytes;
  }

  // Overlap check over the spans in data order (usually already sorted: no sort needed).
  let order: number[] | null = null;
  if (!sorted) order = Array.from(starts.keys()).sort((a, b) => (starts[a] as number) - (starts[b] as number) || (ends[a] as number) - (ends[b] as number));
  let prevEnd = 0;
  let prevIdx = -1;
  for (let k = 0; k < starts.length; k++) {
    const tensorIndex = order ? (order[k] as number) : k;
    const start = starts[tensorIndex] as number;
    const end = ends[tensorIndex] as number;
    if (prevIdx >= 0 && start < prevEnd) {
      throw bad(path, `tensors "${excerpt(tensors[prevIdx]?.name)}" and "${excerpt(tensors[tensorIndex]?.name)}" overlap in the data section`);
    }
    if (end >= prevEnd || prevIdx < 0) {
      prevEnd = end;
      prevIdx = tensorIndex;
    }
  }

  return { path, tensors, totalBytes, bytesByDtype, metadata };
}

/** First read: the length prefix and, for nearly every real file, the whole header too. */
// 32 KiB holds the header of a typical shard (a few hundred tensors); larger ones take a second read.
const FIRST_READ = 32 * 1024;

let firstReadBuffer: Buffer | null = null;

/**
 * Reads and validates a .safetensors header: the 8-byte length, then the JSON header, through
 * synchronous positioned reads; the tensor data is never read. Throws InputError naming the file when
 * it is missing, unreadable or malformed. Synchronous: for a local directory of many shards, 3
 * syscalls a file without promise overhead (a 100-shard directory reads in a few milliseconds; npm
 * run bench measures it).
 */
export function readSafetensorsHeaderSync(path: string, knownRegularFile = false): SafetensorsHeader {
  // The stat before opening refuses a FIFO or a device unopened; a caller that has lstat-ed a regular file skips it.
  if (!knownRegularFile) statRegularFile(path, ANY_SIZE);
  const { fd, size } = openRegularFile(path, ANY_SIZE);
  try {
    // One first-read buffer for every shard: the header is decoded before the next read, and a fresh
    // 32 KiB each was 3 MB of new memory for a 100-shard checkout (page faults and GC at start-up).
    firstReadBuffer ??= Buffer.allocUnsafe(FIRST_READ);
    const first = firstReadBuffer.subarray(0, Math.min(FIRST_READ, size));
    const bytesRead = readSync(fd, first, 0, first.length, 0);
    const headerLength = headerLengthFromPrefix(first.subarray(0, bytesRead), size, path);
    let header: Uint8Array;
    if (8 + headerLength <= bytesRead) header = first.subarray(8, 8 + headerLength);
    else {
      const buf = Buffer.allocUnsafe(headerLength);
      let got = 0;
      while (got < headerLength) {
        const bytesRead = readSync(fd, buf, got, headerLength - got, 8 + got);
        if (bytesRead === 0) throw bad(path, `file ended inside the ${headerLength}-byte header (truncated?)`);
        got += bytesRead;
      }
      header = buf;
    }
    return parseSafetensorsHeaderBytes(header, size, path);
  } finally {
    closeSync(fd);
  }
}

/** readSafetensorsHeaderSync for a caller that awaits: the same reader, so what is tested is what runs. */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  return readSafetensorsHeaderSync(path);
}

/** Totals over a checkpoint's shards. */
export interface WeightsSummary {
  totalBytes: number;
  bytesByDtype: Record<string, number>;
  tensorCount: number;
  shards: number;
}

export function summarizeHeaders(headers: readonly SafetensorsHeader[]): WeightsSummary {
  const bytesByDtype: Record<string, number> = {};
  let totalBytes = 0;
  let tensorCount = 0;
  for (const header of headers) {
    totalBytes += header.totalBytes;
    tensorCount += header.tensors.length;
    for (const [d, b] of Object.entries(header.bytesByDtype)) bytesByDtype[d] = (bytesByDtype[d] ?? 0) + b;
  }
  return { totalBytes, bytesByDtype, tensorCount, shards: headers.length };
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return out;
}
