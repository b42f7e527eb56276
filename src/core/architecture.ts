// Normalizes a Hugging Face config.json (already parsed) into a ModelArch. Pure: no I/O.
// Field names follow transformers' configuration classes; where a key is absent, the default of
// that model type's configuration class applies (cited per default).
import type {
  LayerAttention,
  MlaSpec,
  ModelArch,
  NasBlock,
  MoeSpec,
  QuantSpec,
  TorchDtype,
  VisionSpec,
} from "./types.js";
import type { VisionSpecDefaults } from "./vision/family.js";
import { paramCount } from "./weights.js";
import { hybridFactsFromConfig, type HybridConfigFacts } from "./hybrid-kv.js";

import { bool, isObj, need, num, str, type Json, type Obj } from "./config-json.js";
import { visionFamilyForModelType } from "./vision/registry.js";
export type { Json } from "./config-json.js";

/** A config the core cannot read; the CLI turns it into an exit-2 line naming the file. */
import { ConfigError } from "./errors.js";

export function normalizeDtype(dtype: string | undefined): TorchDtype {
  switch (dtype) {
    case "float16":
    case "half":
      return "float16";
    default:
      // vLLM's ModelConfig._get_and_verify_dtype: "auto" takes the config's torch_dtype, maps a
      // float32 config to a 16-bit type (bf16 where supported), and loads a missing one (gpt-oss) as bf16.
      return "bfloat16";
  }
}

/** Families whose q/k/v projections carry a bias (transformers Qwen2Attention: bias=True). */
const QKV_BIAS_TYPES = new Set(["qwen2", "qwen2_vl", "qwen2_5_vl", "qwen2_moe", "qwen2_vl_text", "qwen2_5_vl_text"]);
/** Families with per-head q/k RMSNorm (transformers Qwen3Attention.q_norm / k_norm). */
const QK_NORM_TYPES = new Set(["qwen3", "qwen3_moe", "qwen3_vl", "qwen3_vl_text", "qwen3_vl_moe", "gemma3", "gemma3_text", "olmo2"]);
/** Families whose config class defaults tie_word_embeddings to true (GemmaConfig, Gemma2Config...). */
const TIED_DEFAULT_TYPES = new Set(["gemma", "gemma2", "gemma3", "gemma3_text"]);

/**
 * transformers' Gemma3TextConfig defaults: a Gemma 3 config.json leaves out every key equal to its
 * default (gemma-3-4b-it's text_config has no heads, head_dim or vocab).
 */
const GEMMA3_TEXT_DEFAULTS: Obj = {
  vocab_size: 262208,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  head_dim: 256,
  max_position_embeddings: 131072,
  sliding_window: 4096,
  sliding_window_pattern: 6,
  tie_word_embeddings: true,
};

/**
 * transformers' LlamaConfig defaults (configuration_llama.py). A LLaVA-style wrapper stores only the
 * text_config keys that differ from them (llava-hf/llava-1.5-7b-hf's text_config has no hidden_size,
 * layers or heads), and transformers/vLLM fill the rest from the class defaults. Applied to a nested
 * llama text_config only: a flat llama config.json always spells its sizes out.
 */
const LLAMA_TEXT_DEFAULTS: Obj = {
  vocab_size: 32000,
  hidden_size: 4096,
  intermediate_size: 11008,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  max_position_embeddings: 2048,
  tie_word_embeddings: false,
};

/** The text part of a multimodal config (text_config / llm_config) merged over the top level. */
function textConfig(cfg: Obj): Obj {
  const inner = cfg["text_config"] ?? cfg["llm_config"];
  const merged = isObj(inner) ? { ...cfg, ...inner } : cfg;
  const mt = str(merged, "model_type") ?? "";
  if (mt === "gemma3_text" || mt === "gemma3") return { ...GEMMA3_TEXT_DEFAULTS, ...merged };
  if (mt === "llama" && isObj(inner) && str(inner, "model_type") === "llama") return { ...LLAMA_TEXT_DEFAULTS, ...merged };
  return merged;
}

/**
 * vLLM's derived max_model_len: vllm/config/model.py `_get_and_verify_max_len` takes the
 * smallest of the length keys present, then multiplies by rope_scaling.factor except for
 * rope types that already describe the full length ("su", "longrope", "llama3", "mrope" without
 * a factor); for "yarn" the base is original_max_position_embeddings.
 */
export function derivedMaxModelLen(textCfg: Obj): number {
  const skipRope = (str(textCfg, "model_type") ?? "").includes("gemma3"); // _get_and_verify_max_len skips gemma3
  const keys = ["max_position_embeddings", "n_positions", "max_seq_len", "seq_length", "max_sequence_length", "max_seq_length", "seq_len"];
  let len = Infinity;
  for (const key of keys) {
    const value = num(textCfg, key);
    if (value !== undefined && value > 0) len = Math.min(len, value);
  }
  if (!Number.isFinite(len)) len = 2048; // vLLM's fallback default_max_len = 2048
  const rs = textCfg["rope_scaling"] ?? textCfg["rope_parameters"];
  if (isObj(rs) && !skipRope) {
    const type = str(rs, "rope_type") ?? str(rs, "type") ?? "";
    const factor = num(rs, "factor");
    if (factor !== undefined && !["su", "longrope", "llama3", "default", "mrope"].includes(type)) {
      if (type === "yarn") len = num(rs, "original_max_position_embeddings") ?? len;
      len = Math.floor(len * factor);
    }
  }
  return len;
}

/**
 * Rows of the rotary cos/sin caches vLLM builds (vllm/model_executor/layers/rotary_embedding):
 * RotaryEmbedding caches max_position rows; linear and dynamic scaling cache max_position × factor,
 * YaRN original_max_position × factor; MRotaryEmbedding enlarges its cache 4× ("We enlarge
 * max_position_embeddings to 4 times"); Gemma 3 adds an unscaled cache for its local layers.
 */
function ropeCachePositions(textCfg: Obj, modelType: string): number {
  const maxPos = num(textCfg, "max_position_embeddings") ?? 2048;
  const rs = textCfg["rope_scaling"] ?? textCfg["rope_parameters"];
  let rows = maxPos;
  if (isObj(rs)) {
    const type = str(rs, "rope_type") ?? str(rs, "type") ?? "";
    const factor = num(rs, "factor") ?? 1;
    if (type === "linear" || type === "dynamic") rows = Math.floor(maxPos * factor);
    else if (type === "yarn" || type === "deepseek_yarn") rows = Math.floor((num(rs, "original_max_position_embeddings") ?? maxPos) * factor);
  }
  if (hasMrope(textCfg)) rows *= 4;
  if (modelType.startsWith("gemma3")) rows += maxPos;
  return rows;
}

function hasMrope(textCfg: Obj): boolean {
  const rs = textCfg["rope_scaling"] ?? textCfg["rope_parameters"];
  return isObj(rs) && (Array.isArray(rs["mrope_section"]) || str(rs, "type") === "mrope" || str(rs, "rope_type") === "mrope");
}

/**
 * Nemotron-NAS / DeciLM block_configs as vllm/model_executor/models/nemotron_nas.py builds the layers
 * (@00bd1493): attention with num_attention_heads // n_heads_in_group KV heads unless attention.no_op; an
 * FFN of _ffn_mult_to_intermediate_size(ffn_mult, hidden) = int(2 · ffn_mult · hidden / 3) rounded up to a
 * multiple of 256 (or ffn.intermediate_size) unless ffn.no_op. vLLM's layer ignores replace_with_linear,
 * sparsify and attention windows, so those configs are flagged rather than sized.
 */
function nasBlocks(textCfg: Obj, layers: number, heads: number, hidden: number, unsupported: string[]): NasBlock[] | null {
  const configs = textCfg["block_configs"];
  if (!Array.isArray(configs)) return null;
  const out: NasBlock[] = [];
  let exotic = configs.length < layers;
  for (const block of configs.slice(0, layers)) {
    const blockCfg = isObj(block) ? block : {};
    const att = isObj(blockCfg["attention"]) ? blockCfg["attention"] : {};
    const ffn = isObj(blockCfg["ffn"]) ? blockCfg["ffn"] : {};
    if (bool(att, "replace_with_linear") || bool(ffn, "replace_with_linear") || num(att, "window_length") || num(att, "num_sink_tokens") || (att["sparsify"] ?? null) !== null || (ffn["sparsify"] ?? null) !== null) exotic = true;
    const group = num(att, "n_heads_in_group");
    const kvHeads = bool(att, "no_op") ? null : group ? Math.floor(heads / group) : heads;
    const mult = num(ffn, "ffn_mult");
    const intermediate = bool(ffn, "no_op") ? null : mult !== undefined ? Math.ceil(Math.trunc((2 * mult * hidden) / 3) / 256) * 256 : num(ffn, "intermediate_size") ?? null;
    if (!bool(ffn, "no_op") && intermediate === null) exotic = true;
    out.push({ kvHeads, intermediateSize: intermediate });
  }
  while (out.length < layers) out.push({ kvHeads: heads, intermediateSize: null });
  if (exotic) unsupported.push("block_configs entries vLLM's nemotron_nas.py does not build as written (replace_with_linear, sparsify, windows, or fewer blocks than layers)");
  return out;
}

/** ModelConfig.get_total_num_kv_heads for nemotron-nas: the first attention block's heads // n_heads_in_group. */
function nasKvHeads(blocks: NasBlock[], heads: number): number {
  for (const b of blocks) if (b.kvHeads !== null) return b.kvHeads;
  return heads;
}

/**
 * Gemma 4's full-attention layers have a KV shape of their own (vllm/model_executor/models/gemma4.py
 * Gemma4DecoderLayer @001cabc1): head_dim = global_head_dim, and with attention_k_eq_v the KV heads are
 * num_global_key_value_heads (K is loaded into both the K and the V slot, so the cache still holds K and V).
 * Sliding layers keep head_dim and num_key_value_heads. KV-shared layers (num_kv_shared_layers, the E-series)
 * reuse an earlier layer's cache (kv_sharing_target_layer_name): not modeled, a NOT_EXACT.
 */
function gemma4FullLayers(textCfg: Obj, modelType: string, layerKinds: LayerAttention[], kvHeads: number, unsupported: string[]): void {
  if (!modelType.startsWith("gemma4")) return;
  const globalHeadDim = num(textCfg, "global_head_dim");
  const globalKvHeads = bool(textCfg, "attention_k_eq_v") === true ? (num(textCfg, "num_global_key_value_heads") ?? kvHeads) : kvHeads;
  if (globalHeadDim !== undefined || globalKvHeads !== kvHeads) {
    for (let i = 0; i < layerKinds.length; i++) {
      if (layerKinds[i]?.kind !== "full") continue;
      layerKinds[i] = globalHeadDim !== undefined ? { kind: "full", kvHeads: globalKvHeads, headDim: globalHeadDim } : { kind: "full", kvHeads: globalKvHeads };
    }
  }
  if ((num(textCfg, "num_kv_shared_layers") ?? 0) > 0) unsupported.push("Gemma 4 KV-shared layers (num_kv_shared_layers: they reuse an earlier layer's KV cache; sized as if each had its own)");
}

function layerPattern(textCfg: Obj, numLayers: number, modelType: string): LayerAttention[] {
  const window = num(textCfg, "sliding_window");
  // Qwen3-Next: layer i is full attention when (i + 1) % full_attention_interval == 0, else Gated DeltaNet (Qwen3NextConfig).
  const interval = num(textCfg, "full_attention_interval");
  if (interval && !Array.isArray(textCfg["layer_types"])) {
    return Array.from({ length: numLayers }, (_, i): LayerAttention => ((i + 1) % interval === 0 ? { kind: "full" } : { kind: "linear" }));
  }
  // Nemotron-H hybrid_override_pattern: "*" attention, "M" Mamba-2, "-" MLP, "E" MoE (configuration_nemotron_h.py).
  const pattern = str(textCfg, "hybrid_override_pattern");
  if (pattern && pattern.length >= numLayers) {
    return [...pattern.slice(0, numLayers)].map((c): LayerAttention => (c === "*" ? { kind: "full" } : c === "M" ? { kind: "mamba" } : { kind: "none" }));
  }
  const types = textCfg["layer_types"];
  if (Array.isArray(types) && types.length >= numLayers) {
    return types.slice(0, numLayers).map((layerType): LayerAttention => {
      if (layerType === "sliding_attention" && window) return { kind: "sliding", window };
      if (layerType === "linear_attention") return { kind: "linear" };
      if (layerType === "mamba") return { kind: "mamba" };
      return { kind: "full" };
    });
  }
  // Qwen2 family: sliding window only when use_sliding_window is true (Qwen2Config), for layers
  // at index >= max_window_layers.
  if (modelType.startsWith("qwen2") || modelType.startsWith("qwen3")) {
    if (bool(textCfg, "use_sliding_window") === true && window) {
      const mwl = num(textCfg, "max_window_layers") ?? numLayers;
      return Array.from({ length: numLayers }, (_, i): LayerAttention => (i >= mwl ? { kind: "sliding", window } : { kind: "full" }));
    }
    return Array.from({ length: numLayers }, (): LayerAttention => ({ kind: "full" }));
  }
  if (modelType === "gemma2" && window) {
    // Gemma2: even layers use the sliding window (transformers Gemma2DecoderLayer is_sliding = not bool(layer_idx % 2)).
    return Array.from({ length: numLayers }, (_, i): LayerAttention => (i % 2 === 0 ? { kind: "sliding", window } : { kind: "full" }));
  }
  if ((modelType === "gemma3" || modelType === "gemma3_text") && window) {
    // Gemma3: every sliding_window_pattern-th layer is global (Gemma3TextConfig default pattern 6).
    const pattern = num(textCfg, "sliding_window_pattern") ?? 6;
    return Array.from({ length: numLayers }, (_, i): LayerAttention => ((i + 1) % pattern === 0 ? { kind: "full" } : { kind: "sliding", window }));
  }
  if ((modelType === "mistral" || modelType === "mixtral") && window) {
    return Array.from({ length: numLayers }, (): LayerAttention => ({ kind: "sliding", window }));
  }
  return Array.from({ length: numLayers }, (): LayerAttention => ({ kind: "full" }));
}

function moeSpec(textCfg: Obj, numLayers: number): MoeSpec | null {
  const experts = num(textCfg, "num_experts") ?? num(textCfg, "num_local_experts") ?? num(textCfg, "n_routed_experts");
  if (!experts || experts <= 1) return null;
  const topK = num(textCfg, "num_experts_per_tok") ?? num(textCfg, "experts_per_token") ?? num(textCfg, "moe_topk") ?? 2;
  const moeI = num(textCfg, "moe_intermediate_size") ?? num(textCfg, "intermediate_size") ?? 0;
  const dense: number[] = [];
  const firstK = num(textCfg, "first_k_dense_replace");
  if (firstK) for (let i = 0; i < firstK; i++) dense.push(i);
  const only = textCfg["mlp_only_layers"];
  if (Array.isArray(only)) for (const x of only) if (typeof x === "number") dense.push(x);
  const step = num(textCfg, "decoder_sparse_step");
  if (step && step > 1) for (let i = 0; i < numLayers; i++) if ((i + 1) % step !== 0) dense.push(i);
  let sharedExperts = num(textCfg, "n_shared_experts") ?? 0;
  let sharedI = sharedExperts > 0 ? moeI * sharedExperts : 0;
  const qwenShared = num(textCfg, "shared_expert_intermediate_size") ?? num(textCfg, "moe_shared_expert_intermediate_size");
  if (qwenShared) {
    sharedExperts = 1;
    sharedI = qwenShared;
  }
  return {
    numExperts: experts,
    topK,
    moeIntermediateSize: moeI,
    sharedExperts,
    sharedIntermediateSize: sharedI,
    denseLayers: [...new Set(dense)].sort((a, b) => a - b),
    expertBias: str(textCfg, "model_type") === "gpt_oss",
    latentSize: num(textCfg, "moe_latent_size") ?? null,
  };
}

function mlaSpec(textCfg: Obj): MlaSpec | null {
  const kvLoraRank = num(textCfg, "kv_lora_rank");
  if (!kvLoraRank) return null;
  return {
    kvLoraRank,
    qkRopeHeadDim: num(textCfg, "qk_rope_head_dim") ?? 64,
    qkNopeHeadDim: num(textCfg, "qk_nope_head_dim") ?? 128,
    vHeadDim: num(textCfg, "v_head_dim") ?? 128,
    qLoraRank: num(textCfg, "q_lora_rank") ?? null,
  };
}

const NO_QUANT: QuantSpec = {
  method: "none",
  bits: 16,
  groupSize: -1,
  serialized: false,
  lmHeadQuantized: false,
  skipModules: [],
  descAct: false,
  kvCacheFp8: false,
};

function strings(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
}

/**
 * The checkpoint's quantization, from config.json's quantization_config, or from a separate
 * hf_quant_config.json (ModelOpt) / quantize_config.json (AutoGPTQ), as vLLM's
 * `get_quant_config` (vllm/model_executor/model_loader/weight_utils.py) looks them up.
 */
export function quantSpecFrom(cfg: Obj, extra?: Obj): QuantSpec {
  const spec = quantSpecOnly(cfg, extra);
  // The KV-cache quantization may be declared in either file: ModelOpt's hf_quant_config.json
  // ("kv_cache_quant_algo": "FP8") or compressed-tensors' kv_cache_scheme (num_bits 8, float).
  const inner = isObj(cfg["quantization_config"]) ? cfg["quantization_config"] : {};
  const extraQ = extra && isObj(extra["quantization"]) ? extra["quantization"] : (extra ?? {});
  const kvAlgo = (str(inner, "kv_cache_quant_algo") ?? str(extraQ, "kv_cache_quant_algo") ?? "").toUpperCase();
  const scheme = inner["kv_cache_scheme"];
  const kvFp8 = kvAlgo === "FP8" || (isObj(scheme) && num(scheme, "num_bits") === 8 && str(scheme, "type") === "float");
  return kvFp8 ? { ...spec, kvCacheFp8: true } : spec;
}

function quantSpecOnly(cfg: Obj, extra?: Obj): QuantSpec {
  let quantCfg: Obj | undefined = isObj(cfg["quantization_config"]) ? cfg["quantization_config"] : undefined;
  if (!quantCfg && extra) quantCfg = isObj(extra["quantization"]) ? { quant_method: "modelopt", ...extra["quantization"] } : extra;
  if (!quantCfg) return NO_QUANT;
  const method = (str(quantCfg, "quant_method") ?? "").toLowerCase();
  const skip = [...strings(quantCfg["modules_to_not_convert"]), ...strings(quantCfg["ignore"]), ...strings(quantCfg["exclude_modules"]), ...strings(quantCfg["ignored_layers"]), ...strings(quantCfg["llm_int8_skip_modules"])];
  const base = { ...NO_QUANT, serialized: true, skipModules: skip };
  const algo = (str(quantCfg, "quant_algo") ?? "").toUpperCase();
  const kvAlgo = (str(quantCfg, "kv_cache_quant_algo") ?? "").toUpperCase();
  if (method === "modelopt" || method === "modelopt_fp4" || algo) {
    // MIXED_PRECISION: per-layer algorithms (quantized_layers); sized by the dominant NVFP4 experts.
    if (algo === "MIXED_PRECISION" && JSON.stringify(quantCfg["quantized_layers"] ?? "").includes("NVFP4")) return { ...base, method: "nvfp4", bits: 4, groupSize: 16, kvCacheFp8: kvAlgo === "FP8" };
    if (algo.includes("NVFP4") || method === "modelopt_fp4") return { ...base, method: "nvfp4", bits: 4, groupSize: num(quantCfg, "group_size") ?? 16, kvCacheFp8: kvAlgo === "FP8" };
    return { ...base, method: "fp8", bits: 8, kvCacheFp8: kvAlgo === "FP8" };
  }
  switch (method) {
    case "fp8": {
      const wbs = quantCfg["weight_block_size"];
      const block = Array.isArray(wbs) && wbs.length === 2 && typeof wbs[0] === "number" && typeof wbs[1] === "number" ? ([wbs[0], wbs[1]] as [number, number]) : undefined;
      return block ? { ...base, method: "fp8", bits: 8, blockSize: block } : { ...base, method: "fp8", bits: 8 };
    }
    case "awq":
      return { ...base, method: "awq", bits: num(quantCfg, "bits") ?? num(quantCfg, "w_bit") ?? 4, groupSize: num(quantCfg, "group_size") ?? num(quantCfg, "q_group_size") ?? 128 };
    case "gptq":
      return {
        ...base,
        method: "gptq",
        bits: num(quantCfg, "bits") ?? 4,
        groupSize: num(quantCfg, "group_size") ?? 128,
        descAct: bool(quantCfg, "desc_act") ?? false,
        lmHeadQuantized: bool(quantCfg, "lm_head") ?? false,
      };
    case "bitsandbytes":
      return { ...base, method: "bitsandbytes", bits: bool(quantCfg, "load_in_8bit") ? 8 : 4, groupSize: 64 };
    case "mxfp4":
      return { ...base, method: "mxfp4", bits: 4, groupSize: 32 };
    case "compressed-tensors": {
      // compressed-tensors: config_groups.*.weights.num_bits / group_size / type.
      let bits = 8;
      let group = -1;
      const groups = quantCfg["config_groups"];
      if (isObj(groups)) {
        for (const configGroup of Object.values(groups)) {
          if (isObj(configGroup) && isObj(configGroup["weights"])) {
            bits = num(configGroup["weights"], "num_bits") ?? bits;
            group = num(configGroup["weights"], "group_size") ?? group;
          }
        }
      }
      return { ...base, method: "compressed-tensors", bits, groupSize: group };
    }
    default:
      return { ...base, method: "none", serialized: false };
  }
}

/**
 * The vision tower of a multimodal config: the family's own reader (src/core/vision/<family>.ts fromConfig)
 * over the shared defaults, or a generic reading of vision_config for a tower vram-plan does not model
 * ("other": NOT_EXACT).
 */
function visionSpec(cfg: Obj, preprocessor?: Obj): VisionSpec | null {
  const visionCfg = cfg["vision_config"];
  if (!isObj(visionCfg)) return null;
  const fam = visionFamilyForModelType(str(cfg, "model_type") ?? "");
  const pp = preprocessor ?? {};
  const base: VisionSpecDefaults = {
    family: fam ? fam.id : "other",
    inChannels: num(visionCfg, "in_chans") ?? num(visionCfg, "in_channels") ?? num(visionCfg, "num_channels") ?? 3,
    windowSize: 0,
    fullAttBlockIndexes: [],
    params: 0,
    deepstack: 0,
    positionEmbeddings: 0,
    tokensPerImage: 0,
    imageSize: 0,
    videoMaxPixels: 0,
    videoMinPixels: 0,
    maxSlices: 1,
    dummySlices: 1,
    thumbnail: false,
    video: true,
    qkvBias: true,
    qkNorm: false,
    rmsNorm: false,
    downsampleRatio: 1,
  };
  if (fam) return fam.fromConfig({ config: cfg, vision: visionCfg, preprocessor: pp, text: textConfig(cfg), base });
  return {
    ...base,
    depth: num(visionCfg, "depth") ?? num(visionCfg, "num_hidden_layers") ?? 0,
    hiddenSize: num(visionCfg, "hidden_size") ?? 0,
    intermediateSize: num(visionCfg, "intermediate_size") ?? 0,
    numHeads: num(visionCfg, "num_heads") ?? num(visionCfg, "num_attention_heads") ?? 1,
    patchSize: num(visionCfg, "patch_size") ?? 14,
    temporalPatchSize: 1,
    spatialMergeSize: 1,
    outHiddenSize: num(cfg, "hidden_size") ?? 0,
    gatedMlp: false,
    minPixels: num(pp, "min_pixels") ?? 3136,
    maxPixels: num(pp, "max_pixels") ?? 12845056,
  };
}

export interface ConfigFiles {
  config: Json;
  /** hf_quant_config.json or quantize_config.json, when the checkpoint has one. */
  quantConfig?: Json;
  preprocessor?: Json;
  checkpointBytes?: number | null;
}

/** ModelArch from a parsed config.json (and its siblings). Throws ConfigError when unusable. */
export function modelArchFromConfig(id: string, files: ConfigFiles): ModelArch {
  const cfg = files.config;
  if (!isObj(cfg)) throw new ConfigError(`${id}: config.json is not a JSON object`);
  const textCfg = textConfig(cfg);
  const where = `${id} config.json`;
  const modelType = str(textCfg, "model_type") ?? str(cfg, "model_type") ?? "unknown";
  const archs = strings(cfg["architectures"]);
  const hidden = need(textCfg, "hidden_size", where);
  const layers = num(textCfg, "num_hidden_layers") ?? num(textCfg, "n_layer") ?? need(textCfg, "num_layers", where);
  const heads = num(textCfg, "num_attention_heads") ?? need(textCfg, "n_head", where);
  const kvHeads = num(textCfg, "num_key_value_heads") ?? heads;
  const headDim = num(textCfg, "head_dim") ?? Math.floor(hidden / heads);
  const rotaryFactor = num(textCfg, "partial_rotary_factor") ?? 1;
  const unsupported: string[] = [];
  const vision = visionSpec(cfg, isObj(files.preprocessor) ? files.preprocessor : undefined);
  if (vision && vision.family === "other") unsupported.push(`vision tower of ${modelType} (encoder activations not modeled)`);
  const layerKinds = layerPattern(textCfg, layers, modelType);
  let hybrid: HybridConfigFacts | null = null;
  if (layerKinds.some((l) => l.kind === "linear" || l.kind === "mamba")) {
    try {
      hybrid = hybridFactsFromConfig(cfg as Parameters<typeof hybridFactsFromConfig>[0]) ?? null;
    } catch {
      hybrid = null;
    }
    if (!hybrid) unsupported.push("linear-attention / Mamba state slots");
  }
  const nas = nasBlocks(textCfg, layers, heads, hidden, unsupported);
  if (nas) {
    // No-op attention layers have no Attention module, so no KV cache (nemotron_nas.py DeciLMDecoderLayer).
    for (let i = 0; i < layers; i++) {
      const kv = nas[i]?.kvHeads;
      if (kv === null) layerKinds[i] = { kind: "none" };
      else if (kv !== undefined && layerKinds[i]?.kind === "full") layerKinds[i] = { kind: "full", kvHeads: kv };
    }
  }
  gemma4FullLayers(textCfg, modelType, layerKinds, kvHeads, unsupported);
  const moe = moeSpec(textCfg, layers);
  const quant = quantSpecFrom(cfg, isObj(files.quantConfig) ? files.quantConfig : undefined);
  const qc = isObj(cfg["quantization_config"]) ? cfg["quantization_config"] : isObj(files.quantConfig) && isObj(files.quantConfig["quantization"]) ? files.quantConfig["quantization"] : {};
  // The MXFP4 MoE kernel backend (Marlin, Triton, FlashInfer) sets how much vLLM pads the expert shapes, and it
  // depends on installed packages and environment variables, not on the config (weights.ts mxfp4MoePadding).
  if (quant.method === "mxfp4" && moe) unsupported.push("MXFP4 expert layout (padding assumed for Marlin, or FlashInfer on Blackwell; the Triton backend pads less)");
  if (str(qc, "quant_algo") === "MIXED_PRECISION") unsupported.push("per-layer precisions of this mixed-precision checkpoint (all quantized layers sized as NVFP4)");
  const arch: ModelArch = {
    id,
    architecture: archs[0] ?? modelType,
    modelType,
    dtype: normalizeDtype(str(textCfg, "torch_dtype") ?? str(textCfg, "dtype") ?? str(cfg, "torch_dtype")),
    hiddenSize: hidden,
    numLayers: layers,
    numHeads: heads,
    numKvHeads: nas ? nasKvHeads(nas, heads) : kvHeads,
    headDim,
    intermediateSize: nas ? Math.max(0, ...nas.map((b) => b.intermediateSize ?? 0)) : num(textCfg, "intermediate_size") ?? 4 * hidden,
    vocabSize: need(textCfg, "vocab_size", where),
    tieWordEmbeddings: bool(textCfg, "tie_word_embeddings") ?? bool(cfg, "tie_word_embeddings") ?? TIED_DEFAULT_TYPES.has(modelType),
    qkvBias: bool(textCfg, "attention_bias") ?? QKV_BIAS_TYPES.has(modelType),
    qkNorm: QK_NORM_TYPES.has(modelType),
    rotaryDim: Math.floor(headDim * rotaryFactor),
    mrope: hasMrope(textCfg),
    mlpGated: !((str(textCfg, "mlp_hidden_act") ?? str(textCfg, "hidden_act") ?? "") === "relu2"),
    mamba: num(textCfg, "mamba_num_heads")
      ? { numHeads: num(textCfg, "mamba_num_heads") ?? 0, headDim: num(textCfg, "mamba_head_dim") ?? 64, nGroups: num(textCfg, "n_groups") ?? 1, stateSize: num(textCfg, "ssm_state_size") ?? 128, convKernel: num(textCfg, "conv_kernel") ?? 4 }
      : null,
    blockPattern: str(textCfg, "hybrid_override_pattern") ?? null,
    ropeCachePositions: ropeCachePositions(textCfg, modelType),
    maxPositionEmbeddings: num(textCfg, "max_position_embeddings") ?? derivedMaxModelLen(textCfg),
    derivedMaxModelLen: derivedMaxModelLen(textCfg),
    layers: layerKinds,
    mla: mlaSpec(textCfg),
    moe,
    vision,
    quant,
    params: 0,
    checkpointBytes: files.checkpointBytes ?? null,
    unsupported,
    hybrid,
    nasBlocks: nas,
  };
  // MTP modules (vllm/model_executor/models/deepseek_mtp.py: num_nextn_predict_layers layers, each
  // with its own shared_head in the checkpoint; qwen3_next_mtp.py / qwen3_5_mtp.py:
  // mtp_num_hidden_layers, lm_head shared with the target).
  const nextn = num(textCfg, "num_nextn_predict_layers") ?? 0;
  const mtpHidden = num(textCfg, "mtp_num_hidden_layers") ?? 0;
  const mtpPattern = str(textCfg, "mtp_hybrid_override_pattern");
  if (nextn > 0) arch.mtp = mtpPattern ? { layers: nextn, ownLmHead: true, pattern: mtpPattern } : { layers: nextn, ownLmHead: true };
  else if (mtpHidden > 0) arch.mtp = { layers: mtpHidden, ownLmHead: false };
  const draftVocab = num(textCfg, "draft_vocab_size");
  if (draftVocab !== undefined) arch.draftVocabSize = draftVocab;
  const counted = paramCount(arch);
  arch.params = counted.total;
  if (arch.vision) arch.vision.params = counted.vision;
  return arch;
}
