// `vram-plan models` and `vram-plan gpus` output: one line per entry, or JSON.
import type { GpuProfile } from "../core/types.js";
import { gib } from "./format.js";

/** A catalogue model as listed: its short name, Hugging Face id and aliases (the first is the short name). */
export interface ModelListing {
  short: string;
  hfId: string;
  aliases: readonly string[];
}

export function renderModels(list: readonly ModelListing[], json: boolean): string {
  if (json) return JSON.stringify(list.map((entry) => ({ id: entry.hfId, short: entry.short, aliases: entry.aliases.slice(1) })), null, 2) + "\n";
  return list.map((entry) => `${entry.short.padEnd(40)} ${entry.hfId}`).join("\n") + "\n";
}

/** A GPU profile as listed (src/data/gpus.json records). */
export interface GpuListing extends Pick<GpuProfile, "id" | "name" | "cudaTotalBytes" | "computeCapability"> {
  cudaTotalExact: boolean;
  /** A MIG slice (--gpu CARD:SLICE): memory from a captured `nvidia-smi mig -lgip`, or an estimate. */
  mig?: { gpu: string; profile: string; memorySlices: number; captured: boolean };
}

export function renderGpus(list: readonly GpuListing[], json: boolean): string {
  if (json) return JSON.stringify(list, null, 2) + "\n";
  return list.map((gpu) => `${gpu.id.padEnd(gpu.id.includes(":") ? 22 : 14)} ${gpu.name.padEnd(gpu.id.includes(":") ? 38 : 46)} ${gib(gpu.cudaTotalBytes).padStart(7)} GiB  cc ${gpu.computeCapability}${gpu.mig ? (gpu.mig.captured ? "  (captured nvidia-smi)" : "  (estimated)") : gpu.cudaTotalExact ? "" : "  (estimated total)"}`).join("\n") + "\n";
}

/** One GPU nvidia-smi reported, as `vram-plan gpus --detect` lists it. */
export interface DetectedGpuListing {
  index: number;
  uuid: string;
  name: string;
  /** The catalogue profile the name resolves to, or null. */
  profile: string | null;
  totalBytes: number;
  reservedBytes: number | null;
  cudaTotalBytes: number;
  usedBytes: number;
  migEnabled: boolean;
  visible: boolean;
  apps: ReadonlyArray<{ pid: number; name: string; usedBytes: number }>;
}

export function renderDetectedGpus(list: readonly DetectedGpuListing[], notes: readonly string[], json: boolean): string {
  if (json) return JSON.stringify({ gpus: list, notes }, null, 2) + "\n";
  const lines = list.map((g) => {
    const head = `GPU ${g.index}${g.visible ? "" : " (not visible)"}  ${g.name} → ${g.profile ?? "no profile (planned from its memory)"}`;
    const mem = `  CUDA total ${gib(g.cudaTotalBytes)} GiB (memory.total ${gib(g.totalBytes)}${g.reservedBytes === null ? "" : ` − reserved ${gib(g.reservedBytes)}`}), used by other processes ${gib(g.usedBytes)} GiB${g.migEnabled ? ", MIG enabled" : ""}`;
    const apps = g.apps.map((a) => `    pid ${a.pid} ${a.name} ${gib(a.usedBytes)} GiB`);
    return [head, mem, ...apps].join("\n");
  });
  return [...lines, ...notes.map((n) => `note: ${n}`)].join("\n") + "\n";
}
