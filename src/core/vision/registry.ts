// The vision families vram-plan models, by VisionSpec.family. Adding a family: one file implementing
// VisionFamily (family.ts: config reader, parameter groups, processor rules, encoder peak), one line
// here, and its tests.
import type { VisionSpec } from "../types.js";
import type { VisionFamily } from "./family.js";
import { gemma3 } from "./gemma3.js";
import { internvl } from "./internvl.js";
import { minicpmv } from "./minicpmv.js";
import { qwen2Vl } from "./qwen2-vl.js";
import { qwen25Vl } from "./qwen2.5-vl.js";
import { qwen3Vl } from "./qwen3-vl.js";

const FAMILIES: Readonly<Record<Exclude<VisionSpec["family"], "other">, VisionFamily>> = {
  "qwen2-vl": qwen2Vl,
  "qwen2.5-vl": qwen25Vl,
  "qwen3-vl": qwen3Vl,
  gemma3,
  minicpmv,
  internvl,
};

/** The family's rules, or null for a tower vram-plan does not model ("other": NOT_EXACT). */
export function visionFamily(v: VisionSpec): VisionFamily | null {
  return v.family === "other" ? null : FAMILIES[v.family];
}

/** Families with rules, for documentation and tests. */
export const MODELED_FAMILIES = Object.keys(FAMILIES) as Exclude<VisionSpec["family"], "other">[];

/** The family whose config.json model_type this is (qwen2_vl, qwen2_5_vl, qwen3_vl*, gemma3, minicpmv, internvl_chat). */
export function visionFamilyForModelType(modelType: string): VisionFamily | null {
  for (const f of Object.values(FAMILIES)) if (f.matchesModelType(modelType)) return f;
  return null;
}
