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
  cudaTotalExact: boolean;
  datasheetBytes: number;
  notes: string;
}

let cache: GpuRecord[] | null = null;

export function gpuCatalogue(): GpuRecord[] {
  if (!cache) cache = JSON.parse(readFileSync(join(DATA_DIR, "gpus.json"), "utf8")) as GpuRecord[];
  return cache;
}

export function findGpu(name: string): GpuRecord | null {
  const q = name.trim().toLowerCase().replace(/_/g, "-");
  return gpuCatalogue().find((g) => g.id === q || g.aliases.includes(q) || g.name.toLowerCase() === q) ?? null;
}

/** --gpu / --gpu-memory → a GPU profile (InputError naming the flag when unknown). */
export function gpuFrom(o: { gpu?: string; gpuMemory?: string }): GpuProfile {
  const mem = o.gpuMemory !== undefined ? sizeFlag("--gpu-memory", o.gpuMemory, 1) : undefined;
  if (o.gpu === undefined) {
    if (!mem) throw new InputError("--gpu", "--gpu: required (vram-plan gpus lists the profiles), or give --gpu-memory <size>");
    // Memory alone: the rest (compute capability, SM count) is taken from the H100 SXM profile, and said.
    const h = findGpu("h100-sxm");
    const cc = h?.computeCapability ?? "9.0";
    return { id: "custom", name: `custom GPU (${excerpt(o.gpuMemory)}; compute capability ${cc} assumed)`, cudaTotalBytes: mem, computeCapability: cc, smCount: h?.smCount ?? 132, source: "--gpu-memory (other properties from the h100-sxm profile)" };
  }
  const g = findGpu(o.gpu);
  if (!g) throw new InputError("--gpu", `--gpu ${excerpt(o.gpu)}: unknown GPU; known: ${gpuCatalogue().map((x) => x.id).join(", ")}`);
  const profile: GpuProfile = { id: g.id, name: g.name, cudaTotalBytes: g.cudaTotalBytes, computeCapability: g.computeCapability, smCount: g.smCount, source: g.source };
  if (mem) profile.cudaTotalBytes = mem;
  return profile;
}
