// How a GPU name is matched (no I/O: the CLI's sources/gpus.ts and the web page share it).
import type { GpuProfile } from "../core/types.js";

/**
 * A GPU name as typed, as nvidia-smi prints it ("NVIDIA A100-SXM4-40GB", "NVIDIA H100 80GB HBM3",
 * "Tesla T4", "NVIDIA GeForce RTX 4090") or as a label spells it: lower case, vendor and brand
 * words dropped, spaces and underscores as dashes.
 */
export function normalizeGpuName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/^(nvidia-|tesla-|geforce-|amd-instinct-)+/, "")
    .replace(/-(geforce|tesla)-/g, "-")
    .replace(/-+/g, "-");
}


/** What a GPU profile of src/data/gpus.json is found by. */
export interface NamedGpu {
  id: string;
  aliases: readonly string[];
  name: string;
  /** Names several profiles share (a100: 40 GB and 80 GB, SXM and PCIe): ambiguous on their own. */
  familyNames?: readonly string[];
  /** The datasheet's memory: a name with a size ("Tesla T4 16GB") is matched against it. */
  datasheetBytes: number;
}

/** Every spelling a profile answers to: its id, aliases, CUDA device name and family names. */
export function gpuSpellings(gpu: NamedGpu): string[] {
  return [gpu.id, ...gpu.aliases, gpu.name, ...(gpu.familyNames ?? [])];
}

/**
 * The profiles a name could mean — one, several (ambiguous) or none — given `named`, the profiles a
 * normalized spelling names. A memory size after the name, as some tools print it ("NVIDIA GeForce
 * RTX 3090 24GB", "Tesla T4 16GB"), is dropped and kept only where it is the profile's datasheet size
 * (in GiB or GB, within 5 %).
 */
export function gpuCandidatesBy<G extends NamedGpu>(name: string, named: (spelling: string) => readonly G[]): G[] {
  const query = normalizeGpuName(name);
  const direct = named(query);
  if (direct.length > 0) return [...direct];
  const sizeMatch = /^(.*)-(\d+)gb$/.exec(query);
  if (!sizeMatch) return [];
  const gb = Number(sizeMatch[2]);
  return named(sizeMatch[1] ?? "").filter((g) => Math.abs(g.datasheetBytes / 2 ** 30 - gb) <= 0.05 * gb || Math.abs(g.datasheetBytes / 1e9 - gb) <= 0.05 * gb);
}

/**
 * The GpuProfile of a catalog entry (the fields the core reads, rocmArch where the GPU has one), with the
 * CUDA-visible total `cudaTotalBytes` when --gpu-memory or the machine says otherwise. The CLI (sources/gpus.ts)
 * and the web page build --gpu's profile with it, so both plan the same GPU.
 */
export function profileOfGpu(gpu: GpuProfile, cudaTotalBytes = gpu.cudaTotalBytes): GpuProfile {
  return { id: gpu.id, name: gpu.name, cudaTotalBytes, computeCapability: gpu.computeCapability, ...(gpu.rocmArch ? { rocmArch: gpu.rocmArch } : {}), smCount: gpu.smCount, source: gpu.source };
}

/**
 * The profile whose compute capability and SM count a GPU the catalog does not name is assumed to have
 * (--gpu-memory alone, a log's bare total, an unknown GPU nvidia-smi reports): the one GPU id the code
 * holds, so every such assumption names the same profile. The web page's default GPU too.
 */
export const REFERENCE_GPU_ID = "h100-sxm";

/**
 * --gpu-memory without --gpu: a GPU of that CUDA-visible memory whose other properties (compute
 * capability, SM count) are the reference profile's (REFERENCE_GPU_ID), as its name and source say.
 */
export function customGpuProfile(memoryText: string, bytes: number, reference: Pick<GpuProfile, "computeCapability" | "smCount"> | null | undefined): GpuProfile {
  const cc = reference?.computeCapability ?? "9.0";
  return { id: "custom", name: `custom GPU (${memoryText}; compute capability ${cc} assumed)`, cudaTotalBytes: bytes, computeCapability: cc, smCount: reference?.smCount ?? 132, source: `--gpu-memory (other properties from the ${REFERENCE_GPU_ID} profile)` };
}
