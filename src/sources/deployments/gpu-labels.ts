// Node labels and instance types → vram-plan GPU ids. Every GPU name lives in the data: the spellings
// clouds and labels use in src/data/gpu-labels.json (with where each comes from), and the CUDA device
// names in src/data/gpus.json, which a product label not listed there is matched against (NVIDIA's
// feature discovery writes the device name with spaces as '-'); this file only applies the rules.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "../data-dir.js";
import { findGpu } from "../gpus.js";
import { normalizeGpuName } from "../gpu-names.js";

interface Rule {
  pattern: string;
  gpu: string;
}
interface LabelData {
  labelKeys: Record<string, "product" | "instanceType">;
  migPattern: string;
  products: Rule[];
  instanceTypes: Rule[];
}

interface Compiled {
  keys: Map<string, "product" | "instanceType">;
  mig: RegExp;
  products: Array<[RegExp, string]>;
  instanceTypes: Array<[RegExp, string]>;
}

let cache: Compiled | null = null;
function labelData(): Compiled {
  if (cache) return cache;
  const data = JSON.parse(readFileSync(join(DATA_DIR, "gpu-labels.json"), "utf8")) as LabelData;
  cache = {
    keys: new Map(Object.entries(data.labelKeys)),
    mig: new RegExp(data.migPattern),
    products: data.products.map((r) => [new RegExp(r.pattern), r.gpu]),
    instanceTypes: data.instanceTypes.map((r) => [new RegExp(r.pattern), r.gpu]),
  };
  return cache;
}

/** Node label keys gpuIdFromLabel understands. */
export function gpuLabelKeys(): string[] {
  return [...labelData().keys.keys()];
}

/** Whether a label key says something about the GPU model. */
export function isGpuLabelKey(key: string): boolean {
  return labelData().keys.has(key.trim());
}

function productGpu(raw: string): string | null {
  const data = labelData();
  const normalized = normalizeGpuName(raw).replace(/-shared$/, "");
  if (data.mig.test(normalized)) return null; // a MIG slice is not a whole GPU
  for (const [re, id] of data.products) if (re.test(normalized)) return id;
  // Not listed: the CUDA device name of a cataloged GPU (gpu.product=NVIDIA-A40 for "NVIDIA A40").
  return findGpu(normalized)?.id ?? null;
}

/**
 * A node label (nodeSelector / node-affinity key and value) → vram-plan GPU id, or null when the key
 * says nothing about GPUs or the value is not recognized (src/data/gpu-labels.json lists both).
 */
export function gpuIdFromLabel(key: string, value: string): string | null {
  const kind = labelData().keys.get(key.trim());
  if (kind === "product") return productGpu(value);
  if (kind === "instanceType") {
    const instanceType = value.trim().toLowerCase();
    for (const [re, id] of labelData().instanceTypes) if (re.test(instanceType)) return id;
  }
  return null;
}
