// MiniCPM-V 2.6: MiniCPMVImageProcessor slicing (openbmb/MiniCPM-V-2_6 image_processing_minicpmv.py:
// ensure_divide, find_best_resize, get_refine_size, get_sliced_grid, slice_image; Python int() truncates,
// round() is half-even) and vLLM's vllm/model_executor/models/minicpmv.py @73fb7a47 profiling.
import type { VisionSpec } from "../types.js";
import { bool, isObj, num } from "../config-json.js";
import { inPlaceResidualBlockBytes, roundHalfEven, siglipEncoderGroups, vitTowerKeys, type ItemTokens } from "./common.js";
import type { VisionFamily } from "./family.js";
import { lin, norm, rep, type ParamGroup } from "../param-groups.js";

/** MiniCPM-V _MAX_FRAMES_PER_VIDEO ("For profile run"), minicpmv.py @73fb7a47. */
export const MINICPMV_MAX_FRAMES_PER_VIDEO = 16;

function ensureDivide(length: number, patch: number): number {
  return Math.max(roundHalfEven(length / patch) * patch, patch);
}

function findBestResize(width: number, height: number, scale: number, patch: number, allowUpscale: boolean): [number, number] {
  let w = width;
  let h = height;
  if (w * h > scale * scale || allowUpscale) {
    const r = w / h;
    h = Math.trunc(scale / Math.sqrt(r));
    w = Math.trunc(h * r);
  }
  return [ensureDivide(w, patch), ensureDivide(h, patch)];
}

/** get_sliced_grid: [cols, rows], or null when the image is not sliced. */
export function minicpmSlicedGrid(width: number, height: number, scale: number, maxSlices: number): [number, number] | null {
  const logRatio = Math.log(width / height);
  const multiple = Math.min(Math.ceil((width * height) / (scale * scale)), maxSlices);
  if (multiple <= 1) return null;
  const grids: [number, number][] = [];
  for (const slices of [multiple - 1, multiple, multiple + 1]) {
    if (slices === 1 || slices > maxSlices) continue;
    for (let m = 1; m <= slices; m++) if (slices % m === 0) grids.push([m, slices / m]);
  }
  let best: [number, number] = [1, 1];
  let minError = Infinity;
  for (const grid of grids) {
    const err = Math.abs(logRatio - Math.log(grid[0] / grid[1]));
    if (err < minError) {
      best = grid;
      minError = err;
    }
  }
  return best;
}

/** slice_image: the source image and the grid slices, as patch grids [rows, cols] of patch_size. */
export function minicpmSlices(width: number, height: number, scale: number, patch: number, maxSlices: number): [number, number][] {
  const grid = minicpmSlicedGrid(width, height, scale, maxSlices);
  if (!grid) {
    const [w, h] = findBestResize(width, height, scale, patch, true);
    return [[h / patch, w / patch]];
  }
  const [sw, sh] = findBestResize(width, height, scale, patch, false);
  // get_refine_size: each slice resized (upscale allowed) like one image of the grid cell's size.
  const cellW = ensureDivide(width, grid[0]) / grid[0];
  const cellH = ensureDivide(height, grid[1]) / grid[1];
  const [bw, bh] = findBestResize(cellW, cellH, scale, patch, true);
  const out: [number, number][] = [[sh / patch, sw / patch]];
  for (let i = 0; i < grid[0] * grid[1]; i++) out.push([bh / patch, bw / patch]);
  return out;
}

function minicpmItem(vision: VisionSpec, width: number, height: number, maxSlices: number): ItemTokens {
  const slices = minicpmSlices(width, height, vision.imageSize, vision.patchSize, maxSlices);
  // MiniCPMV2_6.get_vision_hidden_states pads every slice of the batch to the longest one
  // (all_pixel_values [B, 3, p, L_max]), so the tower runs B × L_max positions; each slice gives
  // query_num resampler tokens (get_num_image_tokens = (cols·rows + 1) · image_feature_size).
  const longest = Math.max(...slices.map(([h, w]) => h * w));
  const src = slices[0] ?? [0, 0];
  return { width, height, frames: 1, gridT: slices.length, gridH: src[0], gridW: src[1], patches: slices.length * longest, tokens: slices.length * vision.tokensPerImage };
}

export const minicpmv: VisionFamily = {
  id: "minicpmv",
  name: "MiniCPM-V",
  paramGroups(vision) {
    const E = vision.hiddenSize;
    const groups: ParamGroup[] = [];
    // vllm/model_executor/models/minicpmv.py @73fb7a47 MiniCPMV2_6 + idefics2_vision_model.py @68137261
    // Idefics2VisionTransformer: SigLIP's encoder (common.ts siglipEncoderGroups), position_embedding
    // (vision image_size / patch)² rows. Resampler2_5
    // (vllm/model_executor/layers/resampler.py BaseResampler): query [Q, D], kv_proj ReplicatedLinear
    // (E → D, no bias), nn.MultiheadAttention(D) in_proj [3D, D] + bias and out_proj [D, D] + bias,
    // ln_q / ln_kv / ln_post LayerNorm(D), proj [D, D]. Its pos_embed is a buffer, not a parameter.
    const D = vision.outHiddenSize;
    groups.push(...siglipEncoderGroups(vision, "vpm"));
    groups.push(rep("resampler.query", vision.tokensPerImage, D));
    groups.push(lin("resampler.kv_proj", "vision", D, E, "replicated"));
    groups.push(rep("resampler.attn.in_proj", 3 * D, D, 3 * D), rep("resampler.attn.out_proj", D, D, D));
    for (const n of ["ln_q", "ln_kv", "ln_post"]) groups.push(norm(`resampler.${n}`, D, "vision", true));
    groups.push(rep("resampler.proj", D, D));
    return groups;
  },
  matchesModelType: (mt) => mt === "minicpmv",
  fromConfig({ config: cfg, vision: visionCfg, preprocessor: pp, base }) {
    // vllm/model_executor/models/minicpmv.py @73fb7a47 MiniCPMV2_6: Idefics2VisionTransformer (SigLIP
    // So400m) over each slice, Resampler2_5 (query_num queries, D/128 heads) to the LLM width.
    // MiniCPMVProcessingInfo: get_image_max_slice_num = hf_config.max_slice_num ?? 9; the HF processor
    // slices with preprocessor max_slice_nums (slice_config in config.json), scale_resolution = image_size.
    const slice = isObj(cfg["slice_config"]) ? cfg["slice_config"] : {};
    const version = num(cfg, "version") ?? 2.5;
    const layers = num(visionCfg, "num_hidden_layers") ?? 27;
    const visionImage = num(visionCfg, "image_size") ?? 980;
    const patch = num(visionCfg, "patch_size") ?? 14;
    return {
      ...base,
      // drop_vision_last_layer: vLLM truncates encoder.layers to [:-1].
      depth: bool(cfg, "drop_vision_last_layer") ? layers - 1 : layers,
      ...vitTowerKeys(visionCfg, { hidden: 1152, intermediate: 4304, patch: 14 }),
      outHiddenSize: num(cfg, "hidden_size") ?? 0,
      positionEmbeddings: (visionImage / patch) ** 2,
      tokensPerImage: num(cfg, "query_num") ?? 64,
      imageSize: num(cfg, "image_size") ?? 448,
      maxSlices: num(pp, "max_slice_nums") ?? num(slice, "max_slice_nums") ?? 9,
      dummySlices: num(cfg, "max_slice_num") ?? 9,
      // get_supported_mm_limits: video for versions 2.6, 4.0, 4.5.
      video: version === 2.6 || version === 4 || version === 4.5,
      minPixels: 0,
      maxPixels: 0,
    };
  },
  imageTokens: (vision, width, height) => minicpmItem(vision, width, height, vision.maxSlices),
  video: {
    // Video frames are single 448² slices (get_video_max_slice_num = 1); the processor has no pixel bounds.
    bounds: (vision) => ({ minPixels: vision.imageSize * vision.imageSize, maxPixels: vision.imageSize * vision.imageSize, per: "slice" }),
    tokens(vision, width, height, frames) {
      const frame = minicpmItem(vision, width, height, 1);
      return { ...frame, frames, gridT: frames * frame.gridT, patches: frames * frame.patches, tokens: frames * frame.tokens };
    },
  },
  dummyItems(vision, _lim, maxModelLen, imageActive) {
    // MiniCPMVProcessingInfo has no get_mm_max_tokens_per_item, so vLLM counts the "<unk>" embeddings of
    // the dummy items (encoder_budget.py get_mm_max_toks_per_item). Image: get_image_size_with_most_features
    // = image_size × (image_size · max_slice_num), 448 × 4032 by default → grid 1 × 9 + source = 10 slices
    // × 64 = 640 tokens.
    const image = minicpmItem(vision, vision.imageSize, vision.imageSize * vision.dummySlices, vision.maxSlices);
    if (!vision.video) return { image, video: null };
    // Video: frames of image_size² with get_video_max_slice_num = 1 (one slice, 64 tokens each);
    // get_num_frames_with_most_features = max(1, min((seq_len − image tokens · images) // frame tokens, 16)).
    const frame = minicpmItem(vision, vision.imageSize, vision.imageSize, 1);
    const frames = Math.max(1, Math.min(Math.floor((maxModelLen - (imageActive ? image.tokens : 0)) / frame.tokens), MINICPMV_MAX_FRAMES_PER_VIDEO));
    return { image, video: { ...frame, frames, gridT: frames * frame.gridT, patches: frames * frame.patches, tokens: frames * frame.tokens } };
  },
  encoderPeakBytes(vision, patches, tp, b) {
    const E = vision.hiddenSize;
    // Idefics2EncoderLayer blocks (common.ts inPlaceResidualBlockBytes).
    const block = inPlaceResidualBlockBytes(vision, patches, tp, b);
    const pixelValues = vision.inChannels * vision.patchSize * vision.patchSize * b;
    // MiniCPMV2_6.get_vision_hidden_states keeps the per-slice pixel_values and the zero-padded
    // all_pixel_values [B, 3, p, L_max] until it returns. After the tower, Resampler2_5.forward holds
    // the tower output [P, E], ln_kv(kv_proj(x)) [P, D], the padded 2-D pos_embed [P, D], the key
    // x + pos_embed [P, D] and nn.MultiheadAttention's k and v in-projections [P, D] each, plus its
    // need_weights scores and softmax [B·heads, Q, L_max] (heads = D / 128); replicated at any tp.
    const D = vision.outHiddenSize;
    const resampler = b * patches * (E + 5 * D + 2 * (D / 128) * vision.tokensPerImage);
    return Math.round(2 * patches * pixelValues + Math.max(block, resampler));
  },
  maxPixelsForTokens: () => null,
  hasVideo: (vision) => vision.video,
  fixedTokensPerImage: true,
  offline: "text-only",
};
