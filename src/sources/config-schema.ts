// Schema-first validation of a checkpoint's config files before the core reads them: config.json
// (top level and text_config / llm_config), vision_config, rope_scaling / rope_parameters,
// quantization_config, hf_quant_config.json / quantize_config.json and preprocessor_config.json.
// Objects stay open (configs carry many keys vram-plan does not read); every key the planner reads
// must, when present, be of the right type and in a range: a count vram-plan can lay out, bits
// vLLM's quantization methods accept, divisibility vLLM and transformers require. A violation is
// one line: the file, the key path and the rule, with a short excerpt of the value (exit 2).
// zod is loaded only with this module (scripts/build-bin.mjs says what it costs), and only for files
// from disk or the Hub: the built-in catalog is validated by test/config-validation.test.ts instead of
// on every start-up.
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import type { ConfigFiles } from "../core/architecture.js";
import { isObj, type Obj } from "../core/config-json.js";
import { InputError } from "../errors.js";
import { MAX_EXPERTS, MAX_HEADS, MAX_HIDDEN, MAX_IMAGE_SIDE, MAX_LAYERS, MAX_POSITIONS, MAX_VOCAB, excerpt } from "../limits.js";

// Each schema here parses one or two objects per run: zod's just-in-time compiled object parser
// (built with new Function on first use, zod's `jitless` option) costs more than it saves then.
// zod/mini: the same parser and issues as zod's classic API, without a dozen methods attached to every
// schema it builds (building and parsing a config's schemas took half the instructions: callgrind,
// Node 20). It leaves messages to the caller: English, as the classic API sets by default.
z.config({ jitless: true, ...en() });


/** Where each file came from, for messages. */
export interface ConfigLabels {
  config: string;
  quantConfig?: string;
  preprocessor?: string;
}

const intIn = (min: number, max: number) => {
  const msg = `must be an integer from ${min} to ${max}`;
  return z.nullish(z.int({ error: msg }).check(z.gte(min, { error: msg }), z.lte(max, { error: msg })));
};
const realIn = (min: number, max: number, minExclusive = true) => {
  const msg = `must be a finite number ${minExclusive ? "above" : "from"} ${min}${minExclusive ? "" : ""} up to ${max}`;
  return z.nullish(z.number({ error: msg }).check(minExclusive ? z.gt(min, { error: msg }) : z.gte(min, { error: msg }), z.lte(max, { error: msg })));
};
const intList = (min: number, max: number, maxLen: number) =>
  z.nullish(z.array(z.int().check(z.gte(min), z.lte(max)), { error: `must be a list of integers from ${min} to ${max}` }).check(z.maxLength(maxLen, { error: `must have at most ${maxLen} entries` })));

const count = (max: number) => intIn(1, max);
/**
 * A side in pixels, or a pair of them: some processors and towers write [h, w] or {height, width}
 * (PixtralImageProcessor's patch_size); vram-plan reads only the plain integer, the others must still be sane.
 */
const sideOrPair = (max: number) =>
  z.nullish(
    z.custom<unknown>(
      (v) => isPositive(v, max) || (Array.isArray(v) && v.length <= 3 && v.every((x) => isPositive(x, max))) || (isObj(v) && Object.values(v).every((x) => isPositive(x, max))),
      { error: `must be an integer from 1 to ${max}, or a pair of them` },
    ),
  );
const isPositive = (v: unknown, max: number): boolean => typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= max;
const isSize = (v: unknown, max: number): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;
const size = (max: number) => intIn(0, max);
/** Largest MLP width (Llama-3.1-405B: 53,248; DeepSeek-V3: 18,432). */
const MAX_INTERMEDIATE = 1 << 22;
const MAX_HEAD_DIM = 1 << 16;

/**
 * The keys vram-plan reads, each with the schema of its value (given the value, for nested objects).
 * Schemas are built for the keys a config has, when it is checked (looseFor): zod builds each schema
 * with dozens of defineProperty calls, and building all ~200 up front was most of the cost of
 * validating a local checkpoint (callgrind: ≈90 M instructions with compilation; bare node ≈500 M).
 */
type Shape = Record<string, (value: unknown) => z.ZodMiniType>;

/** A loose object of the keys of `shape` that `value` has (in the shape's order); a non-object fails with `params`' error. */
function looseFor(shape: Shape, value: unknown, params?: { error: string }): z.ZodMiniType {
  const present: Record<string, z.ZodMiniType> = {};
  if (isObj(value)) for (const key of Object.keys(shape)) if (Object.hasOwn(value, key)) present[key] = (shape[key] as Shape[string])(value[key]);
  return params ? z.looseObject(present, params) : z.looseObject(present);
}

/** Keys of a language-model config (transformers' configuration classes), as vram-plan reads them. */
const TEXT_SHAPE: Shape = {
  hidden_size: () => count(MAX_HIDDEN),
  num_hidden_layers: () => count(MAX_LAYERS),
  n_layer: () => count(MAX_LAYERS),
  num_layers: () => count(MAX_LAYERS),
  num_attention_heads: () => count(MAX_HEADS),
  n_head: () => count(MAX_HEADS),
  num_key_value_heads: () => count(MAX_HEADS),
  head_dim: () => count(MAX_HEAD_DIM),
  // A number, or one per layer (a few NAS / OpenELM-style configs).
  intermediate_size: () =>
    z.nullish(z.custom<number | number[]>((v) => isSize(v, MAX_INTERMEDIATE) || (Array.isArray(v) && v.length <= MAX_LAYERS && v.every((x) => isSize(x, MAX_INTERMEDIATE))), { error: `must be an integer from 0 to ${MAX_INTERMEDIATE}, or a list of them` })),
  vocab_size: () => count(MAX_VOCAB),
  max_position_embeddings: () => count(MAX_POSITIONS),
  n_positions: () => count(MAX_POSITIONS),
  max_seq_len: () => count(MAX_POSITIONS),
  seq_length: () => count(MAX_POSITIONS),
  max_sequence_length: () => count(MAX_POSITIONS),
  max_seq_length: () => count(MAX_POSITIONS),
  seq_len: () => count(MAX_POSITIONS),
  partial_rotary_factor: () => realIn(0, 1),
  sliding_window: () => z.nullish(z.custom<number | boolean>((v) => typeof v === "boolean" || isSize(v, MAX_POSITIONS), { error: `must be an integer from 0 to ${MAX_POSITIONS}` })),
  max_window_layers: () => size(MAX_LAYERS),
  sliding_window_pattern: () => count(MAX_LAYERS),
  full_attention_interval: () => count(MAX_LAYERS),
  layer_types: () => z.nullish(z.array(z.string().check(z.maxLength(64)), { error: "must be a list of layer type names" }).check(z.maxLength(MAX_LAYERS, { error: `must have at most ${MAX_LAYERS} entries` }))),
  hybrid_override_pattern: () => z.nullish(z.string({ error: "must be a string" }).check(z.maxLength(MAX_LAYERS, { error: `must be at most ${MAX_LAYERS} characters` }))),
  block_configs: () => z.nullish(z.array(z.unknown(), { error: "must be a list" }).check(z.maxLength(MAX_LAYERS, { error: `must have at most ${MAX_LAYERS} entries` }))),
  num_experts: () => size(MAX_EXPERTS),
  num_local_experts: () => size(MAX_EXPERTS),
  n_routed_experts: () => size(MAX_EXPERTS),
  num_experts_per_tok: () => count(MAX_EXPERTS),
  experts_per_token: () => count(MAX_EXPERTS),
  moe_topk: () => count(MAX_EXPERTS),
  moe_intermediate_size: () => size(MAX_INTERMEDIATE),
  shared_expert_intermediate_size: () => size(MAX_INTERMEDIATE),
  moe_shared_expert_intermediate_size: () => size(MAX_INTERMEDIATE),
  moe_latent_size: () => size(MAX_HIDDEN),
  first_k_dense_replace: () => size(MAX_LAYERS),
  decoder_sparse_step: () => count(MAX_LAYERS),
  n_shared_experts: () => size(MAX_EXPERTS),
  mlp_only_layers: () => intList(0, MAX_LAYERS, MAX_LAYERS),
  kv_lora_rank: () => size(MAX_HIDDEN),
  q_lora_rank: () => size(MAX_HIDDEN),
  qk_rope_head_dim: () => size(MAX_HEAD_DIM),
  qk_nope_head_dim: () => size(MAX_HEAD_DIM),
  v_head_dim: () => size(MAX_HEAD_DIM),
  mamba_num_heads: () => size(MAX_HEADS),
  mamba_head_dim: () => count(MAX_HEAD_DIM),
  n_groups: () => count(MAX_HEADS),
  ssm_state_size: () => count(MAX_HEAD_DIM),
  conv_kernel: () => count(1024),
  chunk_size: () => count(1 << 20),
  mamba_chunk_size: () => count(1 << 20),
  linear_num_key_heads: () => count(MAX_HEADS),
  linear_num_value_heads: () => count(MAX_HEADS),
  linear_key_head_dim: () => count(MAX_HEAD_DIM),
  linear_value_head_dim: () => count(MAX_HEAD_DIM),
  linear_conv_kernel_dim: () => count(1024),
};

/** rope_scaling / rope_parameters: the factor multiplies the context, so it must be a positive finite number. */
const ROPE_SHAPE: Shape = {
  factor: () => realIn(0, 1e6),
  original_max_position_embeddings: () => count(MAX_POSITIONS),
  mrope_section: () => intList(0, MAX_HEAD_DIM, 16),
};

/** vision_config keys of the towers vram-plan models (Qwen2/2.5/3-VL, SigLIP, InternViT, others). */
const VISION_SHAPE: Shape = {
  depth: () => size(MAX_LAYERS),
  num_hidden_layers: () => size(MAX_LAYERS),
  embed_dim: () => count(MAX_HIDDEN),
  hidden_size: () => count(MAX_HIDDEN),
  intermediate_size: () => count(MAX_INTERMEDIATE),
  out_hidden_size: () => count(MAX_HIDDEN),
  mlp_ratio: () => realIn(0, 64),
  num_heads: () => count(MAX_HEADS),
  num_attention_heads: () => count(MAX_HEADS),
  patch_size: () => sideOrPair(4096),
  temporal_patch_size: () => count(64),
  spatial_merge_size: () => count(64),
  window_size: () => size(MAX_IMAGE_SIDE),
  in_chans: () => count(64),
  in_channels: () => count(64),
  num_channels: () => count(64),
  image_size: () => sideOrPair(MAX_IMAGE_SIDE),
  num_position_embeddings: () => count(1 << 24),
  fullatt_block_indexes: () => intList(0, MAX_LAYERS, MAX_LAYERS),
  deepstack_visual_indexes: () => intList(0, MAX_LAYERS, MAX_LAYERS),
};

/** Multimodal keys at the top level of config.json (Gemma 3, MiniCPM-V, InternVL). */
const MULTIMODAL_SHAPE: Shape = {
  mm_tokens_per_image: () => count(1 << 20),
  query_num: () => count(1 << 20),
  image_size: () => sideOrPair(MAX_IMAGE_SIDE),
  force_image_size: () => sideOrPair(MAX_IMAGE_SIDE),
  // MiniCPM-V / InternVL slice and tile counts: the processor enumerates every grid up to them.
  max_slice_num: () => count(256),
  max_dynamic_patch: () => count(256),
  min_dynamic_patch: () => count(256),
  downsample_ratio: () => realIn(0, 1),
  select_layer: () => intIn(-MAX_LAYERS, MAX_LAYERS),
  slice_config: () => z.nullish(z.looseObject({ max_slice_nums: count(256) }, { error: "must be an object" })),
};

const PIXELS = 2 ** 40;
const PREPROCESSOR_SHAPE: Shape = {
  min_pixels: () => count(PIXELS),
  max_pixels: () => count(PIXELS),
  patch_size: () => sideOrPair(4096),
  merge_size: () => count(64),
  temporal_patch_size: () => count(64),
  max_slice_nums: () => count(256),
  // {shortest_edge, longest_edge} (Qwen3-VL: pixels), {height, width} (SigLIP), or one side (older CLIP).
  size: () =>
    z.nullish(z.custom<unknown>((v) => isSize(v, MAX_IMAGE_SIDE) || (isObj(v) && ["shortest_edge", "longest_edge", "height", "width"].every((k) => v[k] === undefined || v[k] === null || (isSize(v[k], PIXELS) && v[k] !== 0))), { error: "must be a positive size or an object of positive sizes" })),
};

const GROUP_MSG = "must be -1 (per channel) or an integer from 1 to 1048576";
const GROUP = z.nullish(z.int({ error: GROUP_MSG }).check(z.refine((v) => v === -1 || (v >= 1 && v <= 1 << 20), { error: GROUP_MSG })));
const QUANT_SHAPE: Shape = {
  quant_method: () => z.nullish(z.string({ error: "must be a string" }).check(z.maxLength(64))),
  quant_algo: () => z.nullish(z.string({ error: "must be a string" }).check(z.maxLength(64))),
  bits: () => count(64),
  w_bit: () => count(64),
  group_size: () => GROUP,
  q_group_size: () => GROUP,
  weight_block_size: () =>
    z.nullish(z.array(z.int().check(z.gte(1), z.lte(1 << 16)), { error: "must be [rows, columns], positive integers" }).check(z.length(2, { error: "must be [rows, columns], positive integers" }))),
  config_groups: () =>
    z.nullish(z.record(z.string(), z.looseObject({ weights: z.nullish(z.looseObject({ num_bits: count(64), group_size: intIn(1, 1 << 20) })) }), { error: "must be an object of groups" })),
};

/**
 * Weight bits each method's vLLM config class accepts: GPTQConfig "Currently, only 2/3/4/8-bit
 * weight quantization is supported for GPTQ"; AWQConfig 4 bits and AWQMarlinConfig's TYPE_MAP
 * {4, 8} (vllm/model_executor/layers/quantization/awq.py, awq_marlin.py); compressed-tensors'
 * weight schemes W4A16 / W8A16 / W8A8 / NVFP4 (compressed_tensors.py).
 */
const BITS_BY_METHOD: Record<string, readonly number[]> = {
  gptq: [2, 3, 4, 8],
  awq: [4, 8],
  "compressed-tensors": [4, 8],
};

const OBJECT = { error: "must be an object" };
const TEXT_WITH_ROPE_SHAPE: Shape = {
  ...TEXT_SHAPE,
  rope_scaling: (v) => z.nullish(looseFor(ROPE_SHAPE, v)),
  rope_parameters: (v) => z.nullish(looseFor(ROPE_SHAPE, v)),
};
const CONFIG_SHAPE: Shape = {
  ...TEXT_SHAPE,
  ...MULTIMODAL_SHAPE,
  text_config: (v) => z.nullish(looseFor(TEXT_WITH_ROPE_SHAPE, v, OBJECT)),
  llm_config: (v) => z.nullish(looseFor(TEXT_WITH_ROPE_SHAPE, v, OBJECT)),
  vision_config: (v) => z.nullish(looseFor(VISION_SHAPE, v, OBJECT)),
  rope_scaling: (v) => z.nullish(looseFor(ROPE_SHAPE, v, OBJECT)),
  rope_parameters: (v) => z.nullish(looseFor(ROPE_SHAPE, v, OBJECT)),
  quantization_config: (v) => z.nullish(looseFor(QUANT_SHAPE, v, OBJECT)),
};
const QUANT_FILE_SHAPE: Shape = { ...QUANT_SHAPE, quantization: (v) => z.nullish(looseFor(QUANT_SHAPE, v)) };


function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const k of path) node = isObj(node) || Array.isArray(node) ? (node as Record<string, unknown>)[k as string] : undefined;
  return node;
}

function refuse(file: string, path: readonly PropertyKey[], rule: string, value: unknown): never {
  const key = path.length > 0 ? path.map(String).join(".") : "(top level)";
  const got = value === undefined ? "" : `, got ${typeof value === "string" ? JSON.stringify(excerpt(value)) : excerpt(value)}`;
  throw new InputError(file, `${file}: ${key} ${rule}${got}`);
}

function check(schema: z.ZodMiniType, value: unknown, file: string, prefix: readonly string[] = []): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issue = result.error.issues[0];
  if (!issue) return;
  // A union's message is its own; inner messages name the first alternative's rule.
  const rule = issue.message.startsWith("must") ? issue.message : `is invalid (${issue.message.split("\n")[0]?.slice(0, 80) ?? "invalid"})`;
  refuse(file, [...prefix, ...issue.path], rule, at(value, issue.path));
}

function num(obj: Obj, key: string): number | undefined {
  const value = obj[key];
  return typeof value === "number" ? value : undefined;
}

/** Cross-key rules of one language-model config (`config` the merged text config, `prefix` its path). */
function checkTextRules(config: Obj, file: string, prefix: string[]): void {
  const heads = num(config, "num_attention_heads") ?? num(config, "n_head");
  const kv = num(config, "num_key_value_heads");
  const hidden = num(config, "hidden_size");
  const layers = num(config, "num_hidden_layers") ?? num(config, "n_layer") ?? num(config, "num_layers");
  const pathOf = (k: string): string[] => [...prefix, k];
  // Grouped-query attention: each KV head serves num_attention_heads / num_key_value_heads query
  // heads (transformers repeat_kv; vLLM's attention layers assert num_heads % num_kv_heads == 0).
  if (heads !== undefined && kv !== undefined && kv > 0 && heads % kv !== 0 && !Array.isArray(config["block_configs"])) {
    refuse(file, pathOf("num_key_value_heads"), `must divide num_attention_heads (${heads})`, kv);
  }
  // Without head_dim the head size is hidden_size / num_attention_heads (LlamaAttention and kin).
  if (heads !== undefined && hidden !== undefined && num(config, "head_dim") === undefined && num(config, "kv_lora_rank") === undefined && hidden % heads !== 0) {
    refuse(file, pathOf("hidden_size"), `must be divisible by num_attention_heads (${heads}) when head_dim is absent`, hidden);
  }
  const experts = num(config, "num_experts") ?? num(config, "num_local_experts") ?? num(config, "n_routed_experts");
  const topK = num(config, "num_experts_per_tok") ?? num(config, "experts_per_token") ?? num(config, "moe_topk");
  if (experts !== undefined && experts > 1 && topK !== undefined && topK > experts) refuse(file, pathOf("num_experts_per_tok"), `must not exceed the number of experts (${experts})`, topK);
  const firstK = num(config, "first_k_dense_replace");
  if (layers !== undefined && firstK !== undefined && firstK > layers) refuse(file, pathOf("first_k_dense_replace"), `must not exceed num_hidden_layers (${layers})`, firstK);
  const kh = num(config, "linear_num_key_heads");
  const vh = num(config, "linear_num_value_heads");
  if (kh !== undefined && vh !== undefined && vh % kh !== 0) refuse(file, pathOf("linear_num_value_heads"), `must be a multiple of linear_num_key_heads (${kh})`, vh);
  const mh = num(config, "mamba_num_heads");
  const ng = num(config, "n_groups");
  if (mh !== undefined && mh > 0 && ng !== undefined && mh % ng !== 0) refuse(file, pathOf("mamba_num_heads"), `must be a multiple of n_groups (${ng})`, mh);
  for (const rk of ["rope_scaling", "rope_parameters"]) {
    const rs = config[rk];
    if (isObj(rs) && typeof rs["factor"] === "number" && (rs["rope_type"] === "linear" || rs["type"] === "linear" || rs["rope_type"] === "dynamic" || rs["type"] === "dynamic") && rs["factor"] < 1) {
      // transformers _validate_linear_scaling_rope_parameters: "factor field must be a float >= 1".
      refuse(file, pathOf(`${rk}.factor`), "must be at least 1 for linear and dynamic scaling", rs["factor"]);
    }
  }
}

function checkVisionRules(vision: Obj, file: string): void {
  const hidden = num(vision, "hidden_size") ?? num(vision, "embed_dim");
  const heads = num(vision, "num_heads") ?? num(vision, "num_attention_heads");
  if (hidden !== undefined && heads !== undefined && hidden % heads !== 0) refuse(file, ["vision_config", "hidden_size"], `must be divisible by the number of heads (${heads})`, hidden);
  const image = num(vision, "image_size");
  const patch = num(vision, "patch_size");
  if (image !== undefined && patch !== undefined && patch > image) refuse(file, ["vision_config", "patch_size"], `must not exceed image_size (${image})`, patch);
}

function checkQuantRules(quantConfig: Obj, file: string, prefix: string[]): void {
  const method = (typeof quantConfig["quant_method"] === "string" ? quantConfig["quant_method"] : "").toLowerCase();
  const allowed = BITS_BY_METHOD[method];
  if (allowed) {
    const bits = num(quantConfig, "bits") ?? num(quantConfig, "w_bit");
    if (bits !== undefined && !allowed.includes(bits)) refuse(file, [...prefix, num(quantConfig, "bits") !== undefined ? "bits" : "w_bit"], `must be one of ${allowed.join(", ")} for ${method} (vLLM rejects other widths)`, bits);
    const groups = quantConfig["config_groups"];
    if (isObj(groups)) {
      for (const [name, group] of Object.entries(groups)) {
        const weights = isObj(group) ? group["weights"] : undefined;
        const nb = isObj(weights) ? num(weights, "num_bits") : undefined;
        if (nb !== undefined && !allowed.includes(nb)) refuse(file, [...prefix, "config_groups", name, "weights", "num_bits"], `must be one of ${allowed.join(", ")} for ${method}`, nb);
      }
    }
  }
}

function textOf(cfg: Obj): { config: Obj; prefix: string[] } {
  for (const key of ["text_config", "llm_config"]) {
    const inner = cfg[key];
    if (isObj(inner)) return { config: { ...cfg, ...inner }, prefix: [key] };
  }
  return { config: cfg, prefix: [] };
}

/**
 * Validates the config files of one checkpoint; throws InputError (file, key path, rule, excerpt)
 * at the first violation. Pure on the parsed JSON.
 */
export function validateConfigFiles(files: ConfigFiles, labels: ConfigLabels): void {
  const cfg = files.config;
  if (!isObj(cfg)) refuse(labels.config, [], `must be a JSON object, not ${Array.isArray(cfg) ? "a list" : cfg === null ? "null" : `a ${typeof cfg}`}`, undefined);
  check(looseFor(CONFIG_SHAPE, cfg), cfg, labels.config);
  const text = textOf(cfg);
  check(looseFor(TEXT_SHAPE, text.config), text.config, labels.config, text.prefix);
  checkTextRules(text.config, labels.config, text.prefix);
  if (isObj(cfg["vision_config"])) checkVisionRules(cfg["vision_config"], labels.config);
  if (isObj(cfg["quantization_config"])) checkQuantRules(cfg["quantization_config"], labels.config, ["quantization_config"]);
  if (files.quantConfig !== undefined) {
    const file = labels.quantConfig ?? "quantization config";
    if (!isObj(files.quantConfig)) refuse(file, [], "must be a JSON object", files.quantConfig);
    check(looseFor(QUANT_FILE_SHAPE, files.quantConfig), files.quantConfig, file);
    const quantConfig = files.quantConfig;
    if (isObj(quantConfig["quantization"])) checkQuantRules(quantConfig["quantization"], file, ["quantization"]);
    else checkQuantRules(quantConfig, file, []);
  }
  if (files.preprocessor !== undefined) {
    const file = labels.preprocessor ?? "preprocessor_config.json";
    if (!isObj(files.preprocessor)) refuse(file, [], "must be a JSON object", files.preprocessor);
    check(looseFor(PREPROCESSOR_SHAPE, files.preprocessor), files.preprocessor, file);
    const pp = files.preprocessor;
    const lo = num(pp, "min_pixels");
    const hi = num(pp, "max_pixels");
    if (lo !== undefined && hi !== undefined && lo > hi) refuse(file, ["min_pixels"], `must not exceed max_pixels (${hi})`, lo);
  }
}
