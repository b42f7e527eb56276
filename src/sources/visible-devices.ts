// Device lists: CUDA_VISIBLE_DEVICES as the CUDA driver reads it, and NVIDIA_VISIBLE_DEVICES /
// docker --gpus device=… as the NVIDIA container toolkit takes it. The one reading of these lists,
// for this machine's GPUs (nvidia-smi.ts visibleGpus) and for a deployment file's (deployments/).
//
// CUDA's reading was measured, not taken from the CUDA C Programming Guide alone ("CUDA Environment
// Variables" says only that an invalid index hides itself and every later one): cuInit and
// cuDeviceGetCount on two H200s, driver 580.159.04, for ~70 values (fixtures/cuda-visible-devices/).
import { excerpt } from "../limits.js";

/** One entry of a device list. `text` is as written, blanks trimmed. */
export type DeviceEntry =
  | { kind: "index"; index: number; text: string }
  /** GPU-<uuid> or a unique prefix of it: `hex` its hex digits, dashes dropped, lower case. */
  | { kind: "uuid"; hex: string; text: string }
  /** MIG-…: a MIG device (nvidia-smi -L lists them; --query-gpu does not). */
  | { kind: "mig"; text: string };

/** Why CUDA stops reading a list at an entry. */
export type ListStop = "empty" | "not a device" | "mixed";

export interface CudaDeviceList {
  /** The entries CUDA reads, in order (which GPU each names, and duplicates, need the GPUs: visibleGpus). */
  entries: DeviceEntry[];
  /** The entry that ends the list, hiding itself and every later one; null when every entry was read
   *  (one empty entry at the very end, "0,1,", ends nothing). */
  stop: { text: string; why: ListStop } | null;
}

/**
 * One entry as the CUDA driver reads it (measured, fixtures/cuda-visible-devices/):
 * - an index: leading blanks, an optional "+", decimal digits, and whatever follows ignored
 *   (" 0" → 0, "01" → 1, "1x" → 1, "0x1" → 0, "1.0" → 1; "-1" and "a" are not devices);
 * - "GPU-" (upper case only: "gpu-…" is not a device) then hex digits in either case, dashes
 *   anywhere: a UUID or a unique prefix of one; any other character, a blank included, before the
 *   32nd digit makes it no device ("GPU-ab33x", "GPU-ab33 "), after it is ignored;
 * - "MIG-…": a MIG device.
 */
export function cudaDeviceEntry(raw: string): DeviceEntry | null {
  const index = /^[ \t\n\v\f\r]*\+?(\d+)/.exec(raw);
  if (index) return { kind: "index", index: Number(index[1]), text: raw.trim() };
  if (raw.startsWith("MIG-")) return { kind: "mig", text: raw.trim() };
  if (!raw.startsWith("GPU-")) return null;
  let hex = "";
  let i = 4;
  for (; i < raw.length && hex.length < 32; i++) {
    const ch = raw[i]!;
    if (/[0-9a-fA-F]/.test(ch)) hex += ch.toLowerCase();
    else if (ch !== "-") return null;
  }
  return hex === "" ? null : { kind: "uuid", hex, text: raw.trim() };
}

/**
 * CUDA_VISIBLE_DEVICES as the CUDA driver reads it, before it looks at the GPUs (measured,
 * fixtures/cuda-visible-devices/): comma-separated entries (cudaDeviceEntry), read up to the first
 * that is empty ("0,,1" → 0; ",0" and "" → none), no device ("0,a,1" → 0) or of the other kind than
 * the first: a list is of indices or of UUIDs ("1,GPU-…" → 1; "GPU-…,0" → that GPU alone).
 */
export function cudaDeviceList(value: string): CudaDeviceList {
  const raws = value.split(",");
  const entries: DeviceEntry[] = [];
  for (const [index, raw] of raws.entries()) {
    if (raw === "") {
      return { entries, stop: index === raws.length - 1 && index > 0 ? null : { text: "", why: "empty" } };
    }
    const entry = cudaDeviceEntry(raw);
    if (entry === null) return { entries, stop: { text: raw.trim(), why: "not a device" } };
    const first = entries[0];
    // MIG entries are UUID-style too (not measured beside indices: no MIG GPU was at hand).
    if (first !== undefined && (first.kind === "index") !== (entry.kind === "index")) return { entries, stop: { text: raw.trim(), why: "mixed" } };
    entries.push(entry);
  }
  return { entries, stop: null };
}

/** A value as written in a file, blanks and surrounding quotes removed (`'"device=0,1"'`, as docker --gpus needs it). */
function unquoted(value: string): string {
  return value.trim().replace(/^["']+|["']+$/g, "");
}

/** A device list written in a file, quotes stripped; null when it is not a literal list (empty, all, none, void, a $VARIABLE). */
function literalList(value: string): string | null {
  const text = unquoted(value);
  return text === "" || /^(all|none|void)$/i.test(text) || text.includes("$") ? null : text;
}

/**
 * A deployment file's CUDA_VISIBLE_DEVICES as host device ids ("0", "GPU-…"), read as CUDA reads it
 * (cudaDeviceList; an index as its number: "01" and "1" are one GPU), with a note when CUDA would
 * hide entries the file wrote. A literal list whose first entry CUDA does not read ("-1", ",0", "a")
 * leaves no GPU at all (cuInit fails with CUDA_ERROR_NO_DEVICE, fixtures/cuda-visible-devices/):
 * no ids, and a note saying so; so do "", "all" and "none". Null when it is a variable.
 */
export function cudaDeviceIds(value: string): { ids: string[] | null; note: string | null } {
  const text = unquoted(value);
  // Only a variable is unknown here: "", "all" and "none" are read as CUDA reads them, and name no GPU
  // (cuInit 100, fixtures/cuda-visible-devices/); "all" is written in real compose files beside
  // NVIDIA_VISIBLE_DEVICES: "all".
  if (text.includes("$")) return { ids: null, note: null };
  const { entries, stop } = cudaDeviceList(text);
  const ids = entries.map((e) => (e.kind === "index" ? String(e.index) : e.text));
  const note = stop === null ? null : `CUDA_VISIBLE_DEVICES=${excerpt(text) || '""'}: CUDA stops at ${stopWords(stop)}, so it sees ${ids.length > 0 ? `${ids.join(",")} only` : "no GPU"}`;
  return { ids, note };
}

/** The entry a list stops at, in words (nvidia-smi.ts and deployments say it alike). */
export function stopWords(stop: { text: string; why: ListStop }): string {
  if (stop.why === "empty") return "an empty entry";
  if (stop.why === "mixed") return `'${excerpt(stop.text)}' (a list is of indices or of GPU UUIDs, not both)`;
  return `'${excerpt(stop.text)}' (neither an index nor a GPU-/MIG- UUID)`;
}

/**
 * docker run --gpus: "all", a count ("2", "count=2"), or "device=0,1" (docker/cli opts/gpus.go
 * GpuOpts.Set; the device list goes to the container toolkit, containerDeviceIds). Null parts: not said.
 */
export function dockerGpuRequest(value: string): { all: boolean; count: number | null; devices: string[] | null } {
  const text = unquoted(value);
  const device = /device=([^"']+)/.exec(text);
  const count = /^(?:count=)?(\d+)$/.exec(text);
  return {
    all: /^(?:count=)?all$/i.test(text),
    count: count ? Number(count[1]) : null,
    devices: device ? containerDeviceIds(device[1]!) : null,
  };
}

/**
 * NVIDIA_VISIBLE_DEVICES, or docker --gpus device=…, as host device ids: the NVIDIA container
 * toolkit's comma list of indices, GPU- and MIG- UUIDs (it refuses an entry that names no device
 * rather than cutting the list, so every entry is kept). Null for all, none, void, empty or a variable.
 */
export function containerDeviceIds(value: string): string[] | null {
  const list = literalList(value);
  if (list === null) return null;
  const parts = list.split(",").map((p) => p.trim()).filter((p) => p !== "");
  return parts.length > 0 ? parts : null;
}
