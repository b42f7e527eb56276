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

const FAMILIES: readonly VisionFamily[] = [qwen2Vl, qwen25Vl, qwen3Vl, gemma3, minicpmv, internvl];
const BY_ID: ReadonlyMap<string, VisionFamily> = new Map(FAMILIES.map((f) => [f.id, f]));

/** The family's rules, or null for a tower vram-plan does not model ("other": NOT_EXACT). */
export function visionFamily(vision: VisionSpec): VisionFamily | null {
  return BY_ID.get(vision.family) ?? null;
}

/** Families with rules, for documentation and tests. */
export const MODELED_FAMILIES: readonly string[] = FAMILIES.map((f) => f.id);

/** "Qwen2-VL, Qwen2.5-VL, …": the modeled families by name, for messages. */
export const MODELED_FAMILY_NAMES: string = FAMILIES.map((f) => f.name).join(", ");

/** The family whose config.json model_type this is (qwen2_vl, qwen2_5_vl, qwen3_vl*, gemma3, minicpmv, internvl_chat). */
export function visionFamilyForModelType(modelType: string): VisionFamily | null {
  for (const f of FAMILIES) if (f.matchesModelType(modelType)) return f;
  return null;
}
