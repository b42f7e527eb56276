// `vram-plan models` and `vram-plan gpus` output: one line per entry, or JSON.
import type { DetectedGpu, GpuProfile } from "../core/types.js";
import { gib, wrapLine, gibText } from "./format.js";

/** A catalog model as listed: its short name, Hugging Face id and aliases (the first is the short name). */
export interface ModelListing {
  short: string;
  hfId: string;
  aliases: readonly string[];
}

/** One line per model within `columns`; an entry too long for it puts its Hugging Face id on the next line. */
export function renderModels(list: readonly ModelListing[], json: boolean, columns = 80): string {
  if (json) return JSON.stringify(list.map((entry) => ({ id: entry.hfId, short: entry.short, aliases: entry.aliases.slice(1) })), null, 2) + "\n";
  const pad = Math.min(40, Math.max(0, ...list.map((entry) => entry.short.length)) + 2);
  return list.map((entry) => (entry.short.padEnd(pad).length + entry.hfId.length <= columns && entry.short.length < pad ? `${entry.short.padEnd(pad)}${entry.hfId}` : `${entry.short}\n    ${entry.hfId}`)).join("\n") + "\n";
}

/** A GPU profile as listed (src/data/gpus.json records). */
export interface GpuListing extends Pick<GpuProfile, "id" | "name" | "cudaTotalBytes" | "computeCapability" | "rocmArch"> {
  cudaTotalExact: boolean;
  /** A MIG slice (--gpu CARD:SLICE): memory from a captured `nvidia-smi mig -lgip`, or an estimate. */
  mig?: { gpu: string; profile: string; memorySlices: number; captured: boolean };
}

/**
 * A header and one line per profile, columns sized to the data (80 columns for every profile in
 * src/data/gpus.json); an estimated total is marked `*` and explained under the list.
 */
export function renderGpus(list: readonly GpuListing[], json: boolean): string {
  if (json) return JSON.stringify(list, null, 2) + "\n";
  // A MIG slice's memory is either captured from nvidia-smi (measured) or estimated; a card's total exact or estimated.
  const estimated = (gpu: GpuListing): boolean => (gpu.mig ? !gpu.mig.captured : !gpu.cudaTotalExact);
  // An AMD GPU shows its gfx target, not torch's 9.4 for gfx942, which reads as an NVIDIA compute capability.
  const mark = (gpu: GpuListing): string => `${gib(gpu.cudaTotalBytes).padStart(8)}  ${(gpu.rocmArch ?? gpu.computeCapability).padStart(6)}${estimated(gpu) ? " *" : ""}`;
  const cards = list.filter((gpu) => !gpu.mig);
  const slices = list.filter((gpu) => gpu.mig);
  const idW = Math.max(2, ...cards.map((gpu) => gpu.id.length)) + 2;
  const nameW = Math.max(4, ...cards.map((gpu) => gpu.name.length)) + 1;
  const lines = [`${"id".padEnd(idW)}${"name (as nvidia-smi prints it)".padEnd(nameW)}${"CUDA GiB".padStart(8)}  ${"cc".padStart(6)}`];
  for (const gpu of cards) lines.push(`${gpu.id.padEnd(idW)}${gpu.name.padEnd(nameW)}${mark(gpu)}`);
  if (slices.length > 0) {
    // A slice's name is its card's and the profile: the id (--gpu CARD:SLICE) says both.
    const head = "MIG slice (--gpu CARD:SLICE)";
    const sliceW = Math.max(head.length, ...slices.map((gpu) => gpu.id.length)) + 2;
    lines.push("", `${head.padEnd(sliceW)}${"CUDA GiB".padStart(8)}  ${"cc".padStart(6)}`);
    for (const gpu of slices) lines.push(`${gpu.id.padEnd(sliceW)}${mark(gpu)}`);
  }
  if (list.some(estimated)) lines.push("* estimated (datasheet or MIG profile), not measured: --gpu-memory sets it");
  return lines.join("\n") + "\n";
}

/** One GPU nvidia-smi reported, as `vram-plan gpus --detect` lists it: the profile its name resolves to, and whether CUDA_VISIBLE_DEVICES shows it. */
export type DetectedGpuListing = Omit<DetectedGpu, "computeCapability"> & {
  /** The catalog profile the name resolves to, or null. */
  profile: string | null;
  visible: boolean;
};

/** Text within `columns` (render/format.ts outputColumns): the memory line of a busy GPU runs past 80 columns. */
export function renderDetectedGpus(list: readonly DetectedGpuListing[], notes: readonly string[], json: boolean, columns: number): string {
  if (json) return JSON.stringify({ gpus: list, notes }, null, 2) + "\n";
  const lines = list.map((gpu) => {
    const head = `GPU ${gpu.index}${gpu.visible ? "" : " (not visible)"}  ${gpu.name} → ${gpu.profile ?? "no profile (planned from its memory)"}`;
    const mem = `  CUDA total ${gibText(gpu.cudaTotalBytes)} (memory.total ${gib(gpu.totalBytes)}${gpu.reservedBytes === null ? "" : ` − reserved ${gib(gpu.reservedBytes)}`}), used by other processes ${gibText(gpu.usedBytes)}${gpu.migEnabled ? ", MIG enabled" : ""}`;
    const apps = gpu.apps.map((a) => `    pid ${a.pid} ${a.name} ${gibText(a.usedBytes)}`);
    return [head, mem, ...apps].join("\n");
  });
  return [...lines, ...notes.map((n) => `note: ${n}`)]
    .flatMap((block) => block.split("\n"))
    .flatMap((l) => wrapLine(l, columns, [", ", " "]))
    .join("\n") + "\n";
}
