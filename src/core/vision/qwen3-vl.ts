// Qwen3-VL: patch 16 × merge 2, so one merged token covers 32 × 32 pixels (not Qwen2-VL's 28).
// Images: transformers Qwen2VLImageProcessorFast-style smart_resize with factor 32 and the
// preprocessor_config size bounds. Video: transformers models/qwen3_vl/video_processing_qwen3_vl.py
// smart_resize(num_frames, height, width, temporal_factor 2, factor 32, min_pixels = size.shortest_edge,
// max_pixels = size.longest_edge), bounds over frames × height × width (the whole clip, not per frame).
import type { VisionSpec } from "../types.js";
import { ResizeError } from "../errors.js";
import { isObj, num } from "../config-json.js";
import { boundedSides, mergedTokenSide, mostFeaturesImageSize, patchElements, qwenImageTokens, qwenTowerKeys, roundHalfEven, type ItemTokens, type PixelLimits } from "./common.js";
import type { VisionFamily } from "./family.js";
import { qwenMaxPixelsForTokens, qwenParamGroups } from "./qwen2-vl.js";

/** Qwen3VLVideoProcessor.resize → smart_resize over the clip; frames padded to temporal_patch_size by patchify. */
export function qwen3VideoTokens(vision: VisionSpec, width: number, height: number, frames: number, lim: PixelLimits): ItemTokens {
  const factor = mergedTokenSide(vision);
  const tf = vision.temporalPatchSize;
  if (frames < tf) throw new ResizeError(`t:${frames} must be larger than temporal_factor:${tf}`, "frames");
  let h0 = height;
  let w0 = width;
  if (h0 < factor || w0 < factor) {
    const scale = Math.max(factor / h0, factor / w0);
    h0 = Math.trunc(h0 * scale);
    w0 = Math.trunc(w0 * scale);
  }
  const t = roundHalfEven(frames / tf) * tf;
  const { height: h, width: w } = boundedSides(h0, w0, factor, lim.minPixels, lim.maxPixels, frames, t);
  const gridT = Math.ceil(frames / tf);
  const gridH = h / vision.patchSize;
  const gridW = w / vision.patchSize;
  const patches = gridT * gridH * gridW;
  return { width: w, height: h, frames, gridT, gridH, gridW, patches, tokens: patches / (vision.spatialMergeSize * vision.spatialMergeSize) };
}

export const qwen3Vl: VisionFamily = {
  id: "qwen3-vl",
  name: "Qwen3-VL",
  paramGroups: qwenParamGroups,
  matchesModelType: (mt) => mt.startsWith("qwen3_vl"),
  fromConfig({ vision: visionCfg, preprocessor: pp, text, base }) {
    const ds = visionCfg["deepstack_visual_indexes"];
    const size = isObj(pp["size"]) ? pp["size"] : {};
    return {
      ...base,
      ...qwenTowerKeys(visionCfg, { depth: 27, hidden: 1152, intermediate: 4304, patch: 16 }),
      outHiddenSize: num(visionCfg, "out_hidden_size") ?? num(text, "hidden_size") ?? 0,
      gatedMlp: false,
      deepstack: Array.isArray(ds) ? ds.length : 0,
      positionEmbeddings: num(visionCfg, "num_position_embeddings") ?? 2304,
      // Qwen3-VL preprocessor_config size {shortest_edge 65536, longest_edge 16777216} and
      // video_preprocessor_config size {shortest_edge 4096, longest_edge 25165824} over frames × height ×
      // width (the Qwen3-VL-8B/32B-Instruct Hub files; transformers Qwen3VLVideoProcessor.resize applies them
      // to the whole clip).
      minPixels: num(size, "shortest_edge") ?? num(pp, "min_pixels") ?? 65536,
      maxPixels: num(size, "longest_edge") ?? num(pp, "max_pixels") ?? 16777216,
      videoMaxPixels: 25165824,
      videoMinPixels: 4096,
    };
  },
  imageTokens: qwenImageTokens,
  video: {
    bounds: (vision) => ({ minPixels: vision.videoMinPixels, maxPixels: vision.videoMaxPixels, per: "clip" }),
    tokens: qwen3VideoTokens,
  },
  dummyItems(vision, lim) {
    const size = mostFeaturesImageSize(vision, lim.maxPixels);
    const image = qwenImageTokens(vision, size.width, size.height, lim);
    // The clip cap (video longest_edge 25,165,824 pixels over frames × height × width) bounds a video at
    // that / (patch² · merge² · temporal patch) tokens = 12,288, below the image's 16,384 at the default
    // max_pixels, so vLLM profiles the image (derived from the processor's arithmetic, not from a log).
    const m2 = vision.spatialMergeSize * vision.spatialMergeSize;
    const tokens = Math.floor(vision.videoMaxPixels / (vision.patchSize * vision.patchSize * m2 * vision.temporalPatchSize));
    return { image, video: { ...image, frames: 0, gridT: 0, patches: tokens * m2, tokens } };
  },
  encoderPeakBytes(vision, patches, tp, b) {
    const E = vision.hiddenSize;
    const I = vision.intermediateSize;
    const pixels = patches * patchElements(vision) * b;
    // LayerNorm blocks with an ungated MLP (Qwen3_VisionBlock): x_in, residual, norm output, fc1 [P, I/tp],
    // activation [P, I/tp], fc2 output [P, E]; the deepstack merger outputs ([P/4, out_hidden] each) stay
    // until the tower returns.
    const deepstack = (vision.deepstack * patches * vision.outHiddenSize * b) / (vision.spatialMergeSize * vision.spatialMergeSize);
    return Math.round(pixels + b * patches * (4 * E + (2 * I) / tp) + deepstack);
  },
  maxPixelsForTokens: qwenMaxPixelsForTokens,
  hasVideo: () => true,
  fixedTokensPerImage: false,
  offline: { trace: "qwen-vl", windowed: false, note: "Qwen3-VL's vision tower is modeled as Qwen2.5-VL's (deepstack features not traced)" },
};
