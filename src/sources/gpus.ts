// GPU profiles: src/data/gpus.json (CUDA-visible totals with their sources).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "./data-dir.js";
import type { GpuProfile } from "../core/types.js";
import { InputError } from "../errors.js";
import { sizeFlag } from "./flag-values.js";
import { excerpt } from "../limits.js";

export interface GpuRecord extends GpuProfile {
  aliases: string[];
  /** Names several profiles share (a100: 40 GB and 80 GB, SXM and PCIe): ambiguous on their own. */
  familyNames?: string[];
  cudaTotalExact: boolean;
  datasheetBytes: number;
  notes: string;
}

let cache: GpuRecord[] | null = null;

export function gpuCatalogue(): GpuRecord[] {
  if (!cache) cache = JSON.parse(readFileSync(join(DATA_DIR, "gpus.json"), "utf8")) as GpuRecord[];
  return cache;
}

/**
 * A GPU name as typed, as nvidia-smi prints it ("NVIDIA A100-SXM4-40GB", "NVIDIA H100 80GB HBM3",
 * "Tesla T4", "NVIDIA GeForce RTX 4090") or as a label spells it: lower case, vendor and brand
 * words dropped, spaces and underscores as dashes.
 */
export function normaliseGpuName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/^(nvidia-|tesla-|geforce-|amd-instinct-)+/, "")
    .replace(/-(geforce|tesla)-/g, "-")
    .replace(/-+/g, "-");
}

let names: Map<string, GpuRecord[]> | null = null;
/** Every spelling of every profile (id, aliases, name, family names) → the profiles it names. */
function nameIndex(): Map<string, GpuRecord[]> {
  if (names) return names;
  const m = new Map<string, GpuRecord[]>();
  const add = (k: string, g: GpuRecord): void => {
    const key = normaliseGpuName(k);
    const list = m.get(key) ?? [];
    if (!list.includes(g)) list.push(g);
    m.set(key, list);
  };
  for (const g of gpuCatalogue()) for (const k of [g.id, ...g.aliases, g.name, ...(g.familyNames ?? [])]) add(k, g);
  names = m;
  return m;
}

/** The profiles a name could mean: one, several (ambiguous), or none. */
export function gpuCandidates(name: string): GpuRecord[] {
  const q = normaliseGpuName(name);
  const direct = nameIndex().get(q);
  if (direct) return direct;
  // A memory size after the name, as some tools print it ("NVIDIA GeForce RTX 3090 24GB", "Tesla T4
  // 16GB"): the name without it, kept only where the size is the profile's datasheet size.
  const m = /^(.*)-(\d+)gb$/.exec(q);
  if (!m) return [];
  const gb = Number(m[2]);
  return (nameIndex().get(m[1] ?? "") ?? []).filter((g) => Math.abs(g.datasheetBytes / 2 ** 30 - gb) <= 0.05 * gb || Math.abs(g.datasheetBytes / 1e9 - gb) <= 0.05 * gb);
}

/** The one profile a name means; null when unknown or ambiguous (gpuByName says which). */
export function findGpu(name: string): GpuRecord | null {
  const c = gpuCandidates(name);
  return c.length === 1 ? (c[0] as GpuRecord) : null;
}

/** The profile a flag names, or an InputError: unknown (with the ids) or ambiguous (with the choices). */
export function gpuByName(flag: string, name: string): GpuRecord {
  const c = gpuCandidates(name);
  if (c.length === 1) return c[0] as GpuRecord;
  if (c.length > 1) {
    const gib = (b: number): string => (b / 2 ** 30).toFixed(2);
    throw new InputError(flag, `${flag} ${excerpt(name)}: ambiguous, it names ${c.length} GPUs: ${c.map((g) => `${g.id} (${g.name}, ${gib(g.cudaTotalBytes)} GiB)`).join(", ")}; give one of these ids`);
  }
  throw new InputError(flag, `${flag} ${excerpt(name)}: unknown GPU; known: ${gpuCatalogue().map((x) => x.id).join(", ")} (or nvidia-smi's name, or --gpu-memory)`);
}

/** --gpu / --gpu-memory → a GPU profile (InputError naming the flag when unknown). */
export function gpuFrom(o: { gpu?: string; gpuMemory?: string }): GpuProfile {
  const mem = o.gpuMemory !== undefined ? sizeFlag("--gpu-memory", o.gpuMemory, 1) : undefined;
  if (mem !== undefined && mem < 2 ** 30) {
    // No GPU vLLM runs on has less than 1 GiB: a bare "80" is 80 bytes, almost certainly meant as GiB.
    const number = /^\s*([0-9]+(?:\.[0-9]+)?)/.exec(o.gpuMemory ?? "")?.[1] ?? "";
    throw new InputError("--gpu-memory", `--gpu-memory ${excerpt(o.gpuMemory)}: ${mem} bytes is less than 1 GiB; did you mean ${number}GiB?`);
  }
  if (o.gpu === undefined) {
    if (!mem) throw new InputError("--gpu", "--gpu: required (vram-plan gpus lists the profiles), or give --gpu-memory <size>");
    // Memory alone: the rest (compute capability, SM count) is taken from the H100 SXM profile, and said.
    const h = findGpu("h100-sxm");
    const cc = h?.computeCapability ?? "9.0";
    return { id: "custom", name: `custom GPU (${excerpt(o.gpuMemory)}; compute capability ${cc} assumed)`, cudaTotalBytes: mem, computeCapability: cc, smCount: h?.smCount ?? 132, source: "--gpu-memory (other properties from the h100-sxm profile)" };
  }
  const g = gpuByName("--gpu", o.gpu);
  const profile: GpuProfile = { id: g.id, name: g.name, cudaTotalBytes: g.cudaTotalBytes, computeCapability: g.computeCapability, smCount: g.smCount, source: g.source };
  if (mem) profile.cudaTotalBytes = mem;
  return profile;
}
