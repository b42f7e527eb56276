// GPU profiles: src/data/gpus.json (CUDA-visible totals with their sources).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "./data-dir.js";
import type { GpuProfile } from "../core/types.js";

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
