// The last gate before planning: a ModelArch the core can compute with. Whatever config keys,
// defaults and derivations produced it (config.json from disk, the Hub or the catalog), every
// number must be finite and in range, the counts the planner lays out one by one (layers, stages,
// tiles) bounded, and the sizes it divides by positive. Pure: returns the first problem or null;
// the source layer turns it into one exit-2 line naming the config file.
import type { ModelArch } from "./types.js";
import { visionFamily } from "./vision/registry.js";

export interface ArchProblem {
  /** The ModelArch field, e.g. "vision.patchSize". */
  field: string;
  rule: string;
  value: number;
}

/** Layers, vision depth and the like: counts laid out one by one (src/limits.ts MAX_LAYERS). */
const MAX_COUNT = 10_000;
/** Context lengths and rotary rows: below 2^34 (src/limits.ts MAX_POSITIONS). */
const MAX_POSITIONS = 2 ** 34;

function walkNumbers(value: unknown, path: string, out: (path: string, n: number) => ArchProblem | null): ArchProblem | null {
  // ModelArch is a tree of plain objects and arrays a few levels deep; layers arrays are ≤ MAX_COUNT long.
  if (typeof value === "number") return out(path, value);
  if (typeof value !== "object" || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = walkNumbers(value[i], `${path}[${i}]`, out);
      if (problem) return problem;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value)) {
    const problem = walkNumbers(child, path ? `${path}.${key}` : key, out);
    if (problem) return problem;
  }
  return null;
}

export function archProblem(model: ModelArch): ArchProblem | null {
  // 1. Every number finite, not below -1 (quant.groupSize -1 = per channel), at most 2^53.
  const problem = walkNumbers(model, "", (path, fieldValue) => {
    if (!Number.isFinite(fieldValue)) return { field: path, rule: "must be a finite number", value: fieldValue };
    if (fieldValue < -1 || (fieldValue < 0 && !path.endsWith("groupSize"))) return { field: path, rule: "must not be negative", value: fieldValue };
    if (fieldValue > Number.MAX_SAFE_INTEGER) return { field: path, rule: "must be at most 2^53", value: fieldValue };
    return null;
  });
  if (problem) return problem;
  // 2. What the planner divides by or lays out one by one.
  const positive: [string, number, number][] = [
    ["hiddenSize", model.hiddenSize, 1 << 20],
    ["numLayers", model.numLayers, MAX_COUNT],
    ["numHeads", model.numHeads, 1 << 16],
    ["numKvHeads", model.numKvHeads, 1 << 16],
    ["headDim", model.headDim, 1 << 16],
    ["vocabSize", model.vocabSize, 1 << 24],
    ["derivedMaxModelLen", model.derivedMaxModelLen, MAX_POSITIONS],
    ["maxPositionEmbeddings", model.maxPositionEmbeddings, MAX_POSITIONS],
    ["ropeCachePositions", model.ropeCachePositions, MAX_POSITIONS * 8],
  ];
  if (model.moe) positive.push(["moe.numExperts", model.moe.numExperts, 1 << 16], ["moe.topK", model.moe.topK, model.moe.numExperts]);
  if (model.mamba) positive.push(["mamba.headDim", model.mamba.headDim, 1 << 16], ["mamba.nGroups", model.mamba.nGroups, 1 << 16], ["mamba.stateSize", model.mamba.stateSize, 1 << 16], ["mamba.convKernel", model.mamba.convKernel, 1024]);
  const vision = model.vision;
  if (vision) {
    positive.push(
      ["vision.numHeads", vision.numHeads, 1 << 16],
      ["vision.patchSize", vision.patchSize, 4096],
      ["vision.temporalPatchSize", vision.temporalPatchSize, 64],
      ["vision.spatialMergeSize", vision.spatialMergeSize, 64],
      ["vision.inChannels", vision.inChannels, 64],
      ["vision.maxSlices", vision.maxSlices, 256],
      ["vision.dummySlices", vision.dummySlices, 256],
    );
  }
  for (const [field, fieldValue, max] of positive) {
    if (!Number.isInteger(fieldValue) || fieldValue < 1 || fieldValue > max) return { field, rule: `must be an integer from 1 to ${max}`, value: fieldValue };
  }
  if (model.layers.length !== model.numLayers) return { field: "layers", rule: `must have one entry per layer (${model.numLayers})`, value: model.layers.length };
  for (const l of model.layers) if (l.kind === "sliding" && !(l.window >= 1)) return { field: "layers[].window", rule: "must be at least 1", value: l.window };
  if (vision) {
    if (vision.depth > MAX_COUNT) return { field: "vision.depth", rule: `must be at most ${MAX_COUNT}`, value: vision.depth };
    if (vision.minPixels > vision.maxPixels) return { field: "vision.minPixels", rule: `must not exceed maxPixels (${vision.maxPixels})`, value: vision.minPixels };
    if (vision.downsampleRatio <= 0 || vision.downsampleRatio > 1) return { field: "vision.downsampleRatio", rule: "must be in (0, 1]", value: vision.downsampleRatio };
    if (visionFamily(vision)?.fixedTokensPerImage === true && vision.tokensPerImage < 1) return { field: "vision.tokensPerImage", rule: "must be at least 1", value: vision.tokensPerImage };
  }
  return null;
}
