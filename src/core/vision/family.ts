// One interface for every vision family vram-plan models, so a new family is one file (plus its tests)
// registered in registry.ts. Each family answers from its own processor code and config.
import type { VisionSpec } from "../types.js";
import type { Obj } from "../config-json.js";
import type { ParamGroup } from "../param-groups.js";
import type { ItemTokens, PixelLimits } from "./common.js";

/** The items vLLM's profile run sizes the encoder with (get_mm_max_tokens_per_item or the dummy items). */
export interface DummyItems {
  image: ItemTokens;
  /** null: the family registers no video modality for this checkpoint. */
  video: ItemTokens | null;
}

/**
 * The video processor's pixel bounds: per frame (Qwen2-VL), over frames × height × width (Qwen3-VL), or each
 * frame resized to one image_size² slice (MiniCPM-V, InternVL: min = max = image_size²).
 */
export interface VideoBounds {
  minPixels: number;
  maxPixels: number;
  per: "frame" | "clip" | "slice";
}

/**
 * How `vram-plan compare` runs the model offline (transformers), by family: "text-only" (images are
 * refused), or core/offline.ts's trace of a Qwen-VL tower — with Qwen2.5-VL's window attention
 * (fullatt_block_indexes) or without it, and a note when the trace stands in for another tower.
 */
export type OfflineSupport = "text-only" | { trace: "qwen-vl"; windowed: boolean; note?: string };

/** The VisionSpec fields every family starts from (architecture.ts fills them before the family's reader). */
export type VisionSpecDefaults = Omit<VisionSpec, "depth" | "hiddenSize" | "intermediateSize" | "numHeads" | "patchSize" | "temporalPatchSize" | "spatialMergeSize" | "outHiddenSize" | "gatedMlp" | "minPixels" | "maxPixels">;

export interface VisionConfigInput {
  /** config.json as parsed. */
  config: Obj;
  /** Its vision_config. */
  vision: Obj;
  /** preprocessor_config.json ({} when absent). */
  preprocessor: Obj;
  /** The text part (text_config / llm_config merged over the top level, with the family's defaults). */
  text: Obj;
  base: VisionSpecDefaults;
}

export interface VisionFamily {
  /** VisionSpec.family of this family's checkpoints (never "other"). */
  id: string;
  /** The family's name in messages ("Qwen2.5-VL"). */
  name: string;
  /** Whether a config.json model_type is this family's. */
  matchesModelType(modelType: string): boolean;
  /** The tower and processor facts from the config files, with the family's released defaults. */
  fromConfig(x: VisionConfigInput): VisionSpec;
  /** Tokens of one image of width × height pixels as the Hugging Face processor produces them. */
  imageTokens(v: VisionSpec, width: number, height: number, lim: PixelLimits): ItemTokens;
  /** The video processor: its pixel bounds and the tokens of a clip; null when the family takes no video. */
  video: {
    bounds(v: VisionSpec): VideoBounds;
    tokens(v: VisionSpec, width: number, height: number, frames: number, lim: PixelLimits): ItemTokens;
  } | null;
  /**
   * The items vLLM profiles with. `imageActive`: whether one image is also counted against max_model_len
   * before the dummy video is sized (MiniCPM-V, InternVL).
   */
  dummyItems(v: VisionSpec, lim: PixelLimits, maxModelLen: number, imageActive: boolean): DummyItems;
  /** The tower's parameters as checkpoint-named groups with their tensor-parallel split (weights.ts sizes them). */
  paramGroups(v: VisionSpec): ParamGroup[];
  /** Bytes the tower holds at its peak over `patches` patches (one embed_multimodal call) at tensor-parallel `tp`. */
  encoderPeakBytes(v: VisionSpec, patches: number, tp: number, dtypeBytes: number): number;
  /**
   * The processor's max_pixels that caps an image at `tokens` LLM tokens (the "smaller images" lever), or
   * null when image size does not change the tokens (fixed-size or tiled families).
   */
  maxPixelsForTokens(v: VisionSpec, tokens: number): number | null;
  /** Whether the family reads VisionSpec.tokensPerImage (a fixed count per image or tile): then it must be at least 1. */
  fixedTokensPerImage: boolean;
  /** Whether a checkpoint of this family has a video modality in vLLM. */
  hasVideo(v: VisionSpec): boolean;
  offline: OfflineSupport;
}
