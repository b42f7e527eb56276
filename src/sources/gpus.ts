// GPU profiles: src/data/gpus.json (CUDA-visible totals with their sources).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "./data-dir.js";
import type { GpuProfile } from "../core/types.js";
import { InputError } from "../errors.js";
import { sizeFlag } from "./flag-values.js";
import { excerpt } from "../limits.js";
import { editDistance } from "./vllm-flags.js";
import { REFERENCE_GPU_ID, customGpuProfile, profileOfGpu, gpuCandidatesBy, gpuSpellings, normalizeGpuName } from "./gpu-names.js";
import { nvidiaSmiRunner, otherProcessBytesOn, queryGpus, visibleGpus, type DetectedGpu, type RunNvidiaSmi } from "./nvidia-smi.js";
import { gib } from "../core/text.js";

export interface GpuRecord extends GpuProfile {
  aliases: string[];
  /** Names several profiles share (a100: 40 GB and 80 GB, SXM and PCIe): ambiguous on their own. */
  familyNames?: string[];
  cudaTotalExact: boolean;
  datasheetBytes: number;
  notes: string;
}

let cache: GpuRecord[] | null = null;

export function gpuCatalog(): GpuRecord[] {
  if (!cache) cache = JSON.parse(readFileSync(join(DATA_DIR, "gpus.json"), "utf8")) as GpuRecord[];
  return cache;
}

// The spelling rule lives in gpu-names.ts (no I/O) so the web page matches names the same way.
export { normalizeGpuName };

/** One MIG slice of a GPU (src/data/mig-profiles.json): nvidia-smi mig -lgip's memory, with its source. */
export interface MigRecord {
  name: string;
  cudaTotalBytes: number;
  exact: boolean;
  memorySlices: number;
  smCount: number;
  source: string;
}

let migCache: Map<string, MigRecord[]> | null = null;

/** The MIG profiles of each GPU id that has them. */
export function migProfiles(): Map<string, MigRecord[]> {
  if (!migCache) {
    const raw = JSON.parse(readFileSync(join(DATA_DIR, "mig-profiles.json"), "utf8")) as { gpus: Array<{ gpu: string; profiles: MigRecord[] }> };
    migCache = new Map(raw.gpus.map((g) => [g.gpu, g.profiles]));
  }
  return migCache;
}

/** "3g.40gb", "MIG 3g.40gb", "mig-3g.40gb" → "3g.40gb". */
export function migSliceName(text: string): string {
  return text.trim().toLowerCase().replace(/^(nvidia\.com\/)?mig[-\s]*/, "");
}

/** A GPU profile for one MIG slice of `gpu`; InputError naming the flag and the slices that exist. */
export function migSliceProfile(flag: string, gpu: GpuRecord, slice: string): GpuProfile {
  const want = migSliceName(slice);
  const list = migProfiles().get(gpu.id) ?? [];
  const mig = list.find((x) => x.name === want);
  if (!mig) {
    const known = list.length ? `its slices: ${list.map((x) => x.name).join(", ")}` : `vram-plan has no MIG profiles for it (MIG profiles: ${[...migProfiles().keys()].join(", ")})`;
    throw new InputError(flag, `${flag} ${excerpt(`${gpu.id}:${slice}`)}: ${gpu.id} has no MIG slice ${excerpt(want)}; ${known}`);
  }
  return {
    id: `${gpu.id}:${mig.name}`,
    name: `${gpu.name} MIG ${mig.name}`,
    cudaTotalBytes: mig.cudaTotalBytes,
    computeCapability: gpu.computeCapability,
    smCount: mig.smCount,
    source: `MIG ${mig.name} of ${gpu.id}: ${mig.source}`,
  };
}

/** The GPU ids that have a MIG slice of this name (a Kubernetes nvidia.com/mig-… resource without a GPU type). */
export function gpusWithMigSlice(slice: string): string[] {
  const want = migSliceName(slice);
  return [...migProfiles()].filter(([, list]) => list.some((x) => x.name === want)).map(([id]) => id);
}

let names: Map<string, GpuRecord[]> | null = null;
/** Every spelling of every profile (id, aliases, name, family names) → the profiles it names. */
function nameIndex(): Map<string, GpuRecord[]> {
  if (names) return names;
  const byName = new Map<string, GpuRecord[]>();
  const add = (name: string, gpu: GpuRecord): void => {
    const key = normalizeGpuName(name);
    const list = byName.get(key) ?? [];
    if (!list.includes(gpu)) list.push(gpu);
    byName.set(key, list);
  };
  for (const g of gpuCatalog()) for (const k of gpuSpellings(g)) add(k, g);
  names = byName;
  return byName;
}

/** The profiles a name could mean: one, several (ambiguous), or none. */
export function gpuCandidates(name: string): GpuRecord[] {
  return gpuCandidatesBy(name, (spelling) => nameIndex().get(spelling) ?? []);
}

/** The one profile a name means; null when unknown or ambiguous (gpuByName says which). */
export function findGpu(name: string): GpuRecord | null {
  const candidates = gpuCandidates(name);
  return candidates.length === 1 ? (candidates[0] as GpuRecord) : null;
}

/** The profile a flag names, or an InputError: unknown (with the ids) or ambiguous (with the choices). */
export function gpuByName(flag: string, name: string): GpuRecord {
  const candidates = gpuCandidates(name);
  if (candidates.length === 1) return candidates[0] as GpuRecord;
  // Both errors stay one short line (80 columns for `a100`): the ids name size and form factor, and
  // `vram-plan gpus` lists every profile with its memory; a list of all 27 ids was cut at 300 characters.
  if (candidates.length > 1) throw new InputError(flag, `${flag} ${excerpt(name)}: is it ${orList(candidates.map((gpu) => gpu.id))}?`);
  throw new InputError(flag, `${flag} ${excerpt(name)}: unknown GPU; did you mean ${orList(nearestGpuIds(name))}? (vram-plan gpus lists all; --gpu-memory SIZE for another)`);
}

/** "a, b or c". */
function orList(xs: readonly string[]): string {
  return xs.length < 2 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`;
}

/** The three profile ids nearest to a name (edit distance to the id or any alias), nearest first. */
function nearestGpuIds(name: string): string[] {
  const query = normalizeGpuName(name.slice(0, 100));
  return gpuCatalog()
    .map((gpu) => ({ id: gpu.id, d: Math.min(...[gpu.id, ...gpu.aliases].map((a) => editDistance(query, normalizeGpuName(a)))) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.id);
}

export interface GpuOptions {
  gpu?: string;
  gpuMemory?: string;
}

export interface MachineContext {
  env?: Record<string, string | undefined>;
  /** GPUs the deployment uses (TP × PP × DP): ranks r = 0..n-1 sit on the first n visible GPUs. */
  ranks?: number;
  /** Stand-in for nvidia-smi (tests). */
  runNvidiaSmi?: RunNvidiaSmi;
  /** Where notes about what was detected go. */
  notes?: string[];
}

/** A GPU known only by its CUDA-visible memory (`memoryText` as the user or the log gave it): the reference profile's other properties. */
export function gpuOfMemory(memoryText: string, bytes: number): GpuProfile {
  return customGpuProfile(memoryText, bytes, findGpu(REFERENCE_GPU_ID));
}

/** A profile for one GPU nvidia-smi reported: the catalog's by name, with this driver's CUDA-visible total. */
export function profileOfDetected(detected: DetectedGpu): GpuProfile {
  const gpu = findGpu(detected.name);
  if (gpu) return { id: gpu.id, name: gpu.name, cudaTotalBytes: detected.cudaTotalBytes, computeCapability: detected.computeCapability ?? gpu.computeCapability, smCount: gpu.smCount, source: `nvidia-smi on this machine (memory.total - memory.reserved); other properties from the ${gpu.id} profile` };
  const reference = gpuOfMemory(detected.name, detected.cudaTotalBytes); // for its compute capability and SM count
  const cc = detected.computeCapability ?? reference.computeCapability;
  return {
    id: "detected",
    name: `${detected.name} (detected; ${detected.computeCapability ? "" : `compute capability ${cc} assumed, `}SM count of the ${REFERENCE_GPU_ID} profile assumed)`,
    cudaTotalBytes: detected.cudaTotalBytes,
    computeCapability: cc,
    smCount: reference.smCount,
    source: "nvidia-smi on this machine (memory.total - memory.reserved)",
  };
}

/**
 * --gpu auto: the GPUs vLLM would use on this machine (rank r on the r-th visible GPU), as one profile:
 * the smallest CUDA total among them and the most memory other processes hold on any of them, since
 * every rank runs vLLM's free-memory check on its own GPU and the first that fails stops the start-up.
 */
export function detectedGpuProfile(ctx: MachineContext): GpuProfile {
  const env = ctx.env ?? {};
  const { gpus, notes } = visibleGpus(queryGpus(ctx.runNvidiaSmi ?? nvidiaSmiRunner(env)), env["CUDA_VISIBLE_DEVICES"]);
  ctx.notes?.push(...notes);
  // Too few GPUs: why CUDA_VISIBLE_DEVICES hides some (visibleGpus' notes) is the error's hint.
  const why = notes.length > 0 ? notes.join("; ") : undefined;
  if (gpus.length === 0) throw new InputError("--gpu", `--gpu auto: no GPU is visible here${env["CUDA_VISIBLE_DEVICES"] !== undefined ? ` (CUDA_VISIBLE_DEVICES=${excerpt(env["CUDA_VISIBLE_DEVICES"] ?? "")})` : ""}`, why);
  const ranks = ctx.ranks ?? gpus.length;
  if (ranks > gpus.length) throw new InputError("--gpu", `--gpu auto: the deployment needs ${ranks} GPUs (TP × PP × DP) and ${gpus.length} ${gpus.length === 1 ? "is" : "are"} visible here`, why);
  const used = gpus.slice(0, ranks);
  const mig = used.filter((g) => g.migEnabled);
  if (mig.length > 0) throw new InputError("--gpu", `--gpu auto: MIG is enabled on GPU ${mig.map((g) => g.index).join(", ")}; vLLM runs on one slice: give it as --gpu <profile>:<slice> (vram-plan gpus lists them)`);
  const smallest = used.reduce((a, b) => (b.cudaTotalBytes < a.cudaTotalBytes ? b : a));
  const profile = profileOfDetected(smallest);
  const names = new Set(used.map((g) => g.name));
  if (names.size > 1) ctx.notes?.push(`the GPUs used differ (${[...names].join(", ")}): planned on the smallest, GPU ${smallest.index}`);
  const others = Math.max(...used.map(otherProcessBytesOn));
  profile.otherProcessBytes = others;
  const busy = used.filter((g) => otherProcessBytesOn(g) >= 2 ** 30);
  for (const busyGpu of busy) {
    const who = busyGpu.apps.map((a) => `${a.name || "?"} (pid ${a.pid}, ${gib(a.usedBytes)} GiB)`).join(", ");
    ctx.notes?.push(`GPU ${busyGpu.index} (${busyGpu.name}): other processes hold ${gib(otherProcessBytesOn(busyGpu))} GiB${who ? `: ${who}` : ""}`);
  }
  return profile;
}

/** --gpu / --gpu-memory → a GPU profile (InputError naming the flag when unknown); --gpu auto asks nvidia-smi. */
export function gpuFrom(opts: GpuOptions, ctx: MachineContext = {}): GpuProfile {
  const mem = opts.gpuMemory !== undefined ? sizeFlag("--gpu-memory", opts.gpuMemory, 1) : undefined;
  if (mem !== undefined && mem < 2 ** 30) {
    // No GPU vLLM runs on has less than 1 GiB: a bare "80" is 80 bytes, almost certainly meant as GiB.
    const number = /^\s*([0-9]+(?:\.[0-9]+)?)/.exec(opts.gpuMemory ?? "")?.[1] ?? "";
    throw new InputError("--gpu-memory", `--gpu-memory ${excerpt(opts.gpuMemory)}: ${mem} bytes is less than 1 GiB; did you mean ${number}GiB?`);
  }
  if (opts.gpu === undefined) {
    if (!mem) throw new InputError("--gpu", "--gpu: required, or --gpu-memory SIZE (vram-plan gpus lists the profiles)");
    return gpuOfMemory(excerpt(opts.gpuMemory), mem);
  }
  if (opts.gpu.trim().toLowerCase() === "auto") {
    const profile = detectedGpuProfile({ env: process.env, ...ctx });
    if (mem) profile.cudaTotalBytes = mem;
    return profile;
  }
  // GPU:SLICE, a MIG slice (h100-sxm:3g.40gb): the slice's memory and SMs, the card's compute capability.
  const colon = opts.gpu.indexOf(":");
  if (colon > 0) {
    const profile = migSliceProfile("--gpu", gpuByName("--gpu", opts.gpu.slice(0, colon)), opts.gpu.slice(colon + 1));
    if (mem) profile.cudaTotalBytes = mem;
    return profile;
  }
  const named = gpuByName("--gpu", opts.gpu);
  return profileOfGpu(named, mem || named.cudaTotalBytes);
}

/**
 * `--other-process-memory` must leave something of the GPU: at or above its CUDA total no process could
 * start, and the plan would show negative free memory (−11.43 GiB for 90 GiB on an H100).
 */
export function checkOtherProcessMemory(otherProcessBytes: number, gpu: Pick<GpuProfile, "cudaTotalBytes" | "name">): void {
  if (otherProcessBytes >= gpu.cudaTotalBytes) {
    throw new InputError("--other-process-memory", `--other-process-memory: ${gib(otherProcessBytes)} GiB is not less than the ${gib(gpu.cudaTotalBytes)} GiB of the ${gpu.name}`);
  }
}
