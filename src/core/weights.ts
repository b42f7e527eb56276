// Weight bytes per GPU rank, as vLLM allocates them while loading ("Model loading took X GiB").
// Parameters are described as groups named like the checkpoint's tensors, so quantization skip-lists
// (modules_to_not_convert, ignore, exclude_modules) match them the way vLLM's is_layer_skipped does.
import type { ModelArch, QuantSpec, TorchDtype } from "./types.js";
import { lin, norm, type ParamGroup } from "./param-groups.js";
import { visionFamily } from "./vision/registry.js";
export type { Component, ParamGroup, Split } from "./param-groups.js";

export interface LayerTemplate {
  key: string;
  groups: ParamGroup[];
}

export interface ParamLayout {
  /** Decoder layer i uses templates[layerTemplate[i]]. */
  templates: LayerTemplate[];
  layerTemplate: number[];
  embedding: ParamGroup;
  lmHead: ParamGroup | null; // null when tied
  finalNorm: ParamGroup;
  vision: ParamGroup[];
}

import { DTYPE_BYTES } from "./kv-dtypes.js";
import { roundUp } from "./math-utils.js";
export { DTYPE_BYTES };

/** vllm/model_executor/layers/vocab_parallel_embedding.py: DEFAULT_VOCAB_PADDING_SIZE = 64, pad_vocab_size. */
export const VOCAB_PADDING = 64;
export function paddedVocab(v: number): number {
  return roundUp(v, VOCAB_PADDING);
}

function attentionGroups(model: ModelArch, prefix: string, kvHeads = model.numKvHeads): ParamGroup[] {
  const H = model.hiddenSize;
  const d = model.headDim;
  if (model.mla) {
    // DeepSeek-V2/V3 MLA (vllm/model_executor/models/deepseek_v2.py DeepseekV2MLAAttention): the
    // down-projections are ReplicatedLinear, the up-projections column-parallel, o_proj row-parallel.
    const mla = model.mla;
    const qk = mla.qkNopeHeadDim + mla.qkRopeHeadDim;
    const groups: ParamGroup[] = [];
    if (mla.qLoraRank) {
      groups.push(lin(`${prefix}.self_attn.q_a_proj`, "attention", mla.qLoraRank, H, "replicated"));
      groups.push(norm(`${prefix}.self_attn.q_a_layernorm`, mla.qLoraRank, "attention"));
      groups.push(lin(`${prefix}.self_attn.q_b_proj`, "attention", model.numHeads * qk, mla.qLoraRank, "column"));
    } else {
      groups.push(lin(`${prefix}.self_attn.q_proj`, "attention", model.numHeads * qk, H, "column"));
    }
    groups.push(lin(`${prefix}.self_attn.kv_a_proj_with_mqa`, "attention", mla.kvLoraRank + mla.qkRopeHeadDim, H, "replicated"));
    groups.push(norm(`${prefix}.self_attn.kv_a_layernorm`, mla.kvLoraRank, "attention"));
    groups.push(lin(`${prefix}.self_attn.kv_b_proj`, "attention", model.numHeads * (mla.qkNopeHeadDim + mla.vHeadDim), mla.kvLoraRank, "column"));
    groups.push(lin(`${prefix}.self_attn.o_proj`, "attention", H, model.numHeads * mla.vHeadDim, "row"));
    return groups;
  }
  const attnGroups: ParamGroup[] = [
    // Out rows = (heads + 2 kv heads) × head_dim; split handled as "qkv" (KV heads replicated when tp > kv heads).
    { ...lin(`${prefix}.self_attn.qkv_proj`, "attention", (model.numHeads + 2 * kvHeads) * d, H, "qkv", model.qkvBias ? (model.numHeads + 2 * kvHeads) * d : 0, 3), kvHeads },
    lin(`${prefix}.self_attn.o_proj`, "attention", H, model.numHeads * d, "row", model.modelType === "gpt_oss" ? H : 0),
  ];
  if (model.qkNorm) attnGroups.push(norm(`${prefix}.self_attn.q_norm`, d, "attention"), norm(`${prefix}.self_attn.k_norm`, d, "attention"));
  // gpt-oss attention sinks: one learned value per query head, split with the heads.
  if (model.modelType === "gpt_oss") attnGroups.push({ name: `${prefix}.self_attn.sinks`, component: "attention", out: model.numHeads, in: 1, bias: 0, split: "column", linear: false });
  return attnGroups;
}

function mlpGroups(model: ModelArch, prefix: string, moeLayer: boolean): ParamGroup[] {
  const H = model.hiddenSize;
  const moe = model.moe;
  const g = model.mlpGated ? 2 : 1; // gate_up (2·I) or up (I) rows
  if (!moeLayer || !moe) {
    const I = model.intermediateSize;
    return [lin(`${prefix}.mlp.gate_up_proj`, "mlp", g * I, H, "column", 0, g), lin(`${prefix}.mlp.down_proj`, "mlp", H, I, "row")];
  }
  const Im = moe.moeIntermediateSize;
  // Latent MoE: routed experts work in moe_latent_size, reached through a down and an up projection.
  const E = moe.latentSize ?? H;
  const groups: ParamGroup[] = [
    // Router: ReplicatedLinear built with quant_config=None in vLLM's Mixtral/Qwen3-MoE/DeepSeek models.
    { name: `${prefix}.mlp.gate`, component: "router", out: moe.numExperts, in: H, bias: moe.expertBias ? moe.numExperts : 0, split: "replicated", linear: false },
    { name: `${prefix}.mlp.experts.w13`, component: "experts", out: g * Im, in: E, bias: moe.expertBias ? g * Im : 0, split: "experts", linear: true, experts: moe.numExperts, shards: g },
    { name: `${prefix}.mlp.experts.w2`, component: "experts", out: E, in: Im, bias: moe.expertBias ? E : 0, split: "experts", linear: true, experts: moe.numExperts },
  ];
  if (moe.latentSize) groups.push(lin(`${prefix}.mlp.fc1_latent_proj`, "mlp", moe.latentSize, H, "replicated"), lin(`${prefix}.mlp.fc2_latent_proj`, "mlp", H, moe.latentSize, "replicated"));
  if (moe.sharedExperts > 0 && moe.sharedIntermediateSize > 0) {
    const Is = moe.sharedIntermediateSize;
    groups.push(lin(`${prefix}.mlp.shared_experts.gate_up_proj`, "mlp", g * Is, H, "column", 0, g), lin(`${prefix}.mlp.shared_experts.down_proj`, "mlp", H, Is, "row"));
    // Qwen2-MoE's shared_expert_gate: Linear(H, 1), replicated.
    if (model.modelType === "qwen2_moe") groups.push({ name: `${prefix}.mlp.shared_expert_gate`, component: "router", out: 1, in: H, bias: 0, split: "replicated", linear: false });
  }
  return groups;
}

/**
 * Mamba-2 mixer (vllm/model_executor/layers/mamba/mamba_mixer2.py MambaMixer2): in_proj H →
 * 2·d_inner + 2·groups·state + heads (column), depthwise conv1d over d_inner + 2·groups·state
 * channels with bias, dt_bias / A / D per head, a gated RMSNorm over d_inner, out_proj (row).
 */
function mambaGroups(model: ModelArch, prefix: string): ParamGroup[] {
  const mamba = model.mamba;
  if (!mamba) return [];
  const H = model.hiddenSize;
  const dInner = mamba.numHeads * mamba.headDim;
  const conv = dInner + 2 * mamba.nGroups * mamba.stateSize;
  return [
    lin(`${prefix}.mixer.in_proj`, "attention", 2 * dInner + 2 * mamba.nGroups * mamba.stateSize + mamba.numHeads, H, "column"),
    { name: `${prefix}.mixer.conv1d`, component: "attention", out: conv, in: mamba.convKernel, bias: conv, split: "column", linear: false },
    { name: `${prefix}.mixer.heads`, component: "attention", out: 3 * mamba.numHeads, in: 1, bias: 0, split: "column", linear: false },
    { name: `${prefix}.mixer.norm`, component: "attention", out: dInner, in: 1, bias: 0, split: "column", linear: false },
    lin(`${prefix}.mixer.out_proj`, "attention", H, dInner, "row"),
  ];
}

/** The vision tower's parameter groups, by the family's own layout (src/core/vision/<family>.ts paramGroups). */
function visionGroups(model: ModelArch): ParamGroup[] {
  const vision = model.vision;
  if (!vision) return [];
  return visionFamily(vision)?.paramGroups(vision) ?? [];
}

const layoutCache = new WeakMap<ModelArch, ParamLayout>();

/** The model's parameters as groups per decoder-layer template (computed once per ModelArch). */
export function paramLayout(model: ModelArch): ParamLayout {
  const hit = layoutCache.get(model);
  if (hit) return hit;
  const templates: LayerTemplate[] = [];
  const layerTemplate: number[] = [];
  const dense = new Set(model.moe?.denseLayers ?? []);
  const extraNorms = model.modelType.startsWith("gemma2") || model.modelType.startsWith("gemma3") ? 2 : 0;
  for (let i = 0; i < model.numLayers; i++) {
    const kind = model.layers[i]?.kind ?? "full";
    const moeLayer = model.moe !== null && !dense.has(i);
    const key = `${kind === "linear" || kind === "mamba" || kind === "none" ? kind : "attn"}/${moeLayer ? "moe" : "dense"}`;
    let templateIndex = -1;
    const block = model.blockPattern?.[i];
    const nas = model.nasBlocks?.[i];
    const bkey = block ? `block:${block}` : nas ? `nas:${nas.kvHeads}/${nas.intermediateSize}` : key;
    templateIndex = templates.findIndex((x) => x.key === bkey);
    if (templateIndex < 0 && nas) {
      // Nemotron-NAS (nemotron_nas.py DeciLMDecoderLayer): attention + input_layernorm unless no-op,
      // LlamaMLP of the block's own size + post_attention_layernorm unless no-op.
      const prefix = "model.layers.*";
      const groups: ParamGroup[] = [];
      if (nas.kvHeads !== null) groups.push(...attentionGroups(model, prefix, nas.kvHeads), norm(`${prefix}.input_layernorm`, model.hiddenSize));
      if (nas.intermediateSize !== null) {
        const I = nas.intermediateSize;
        groups.push(lin(`${prefix}.mlp.gate_up_proj`, "mlp", 2 * I, model.hiddenSize, "column", 0, 2), lin(`${prefix}.mlp.down_proj`, "mlp", model.hiddenSize, I, "row"), norm(`${prefix}.post_attention_layernorm`, model.hiddenSize));
      }
      templates.push({ key: bkey, groups });
      templateIndex = templates.length - 1;
    }
    if (templateIndex < 0 && block) {
      // Nemotron-H (configuration_nemotron_h.py): each layer is one mixer and one norm.
      const prefix = "backbone.layers.*";
      const mixer = block === "*" ? attentionGroups(model, prefix) : block === "M" ? mambaGroups(model, prefix) : mlpGroups(model, prefix, block === "E");
      templates.push({ key: bkey, groups: [...mixer, norm(`${prefix}.norm`, model.hiddenSize)] });
      templateIndex = templates.length - 1;
    }
    if (templateIndex < 0) {
      const prefix = "model.layers.*";
      const groups = [...attentionGroups(model, prefix), ...mlpGroups(model, prefix, moeLayer), norm(`${prefix}.input_layernorm`, model.hiddenSize), norm(`${prefix}.post_attention_layernorm`, model.hiddenSize)];
      for (let k = 0; k < extraNorms; k++) groups.push(norm(`${prefix}.extra_layernorm_${k}`, model.hiddenSize));
      templates.push({ key, groups });
      templateIndex = templates.length - 1;
    }
    layerTemplate.push(templateIndex);
  }
  const embedding: ParamGroup = { name: "model.embed_tokens", component: "embedding", out: model.vocabSize, in: model.hiddenSize, bias: 0, split: "column", linear: false };
  const layout: ParamLayout = {
    templates,
    layerTemplate,
    embedding,
    lmHead: model.tieWordEmbeddings ? null : { name: "lm_head", component: "lm_head", out: model.vocabSize, in: model.hiddenSize, bias: 0, split: "column", linear: false },
    finalNorm: norm("model.norm", model.hiddenSize),
    vision: visionGroups(model),
  };
  layoutCache.set(model, layout);
  return layout;
}

function groupParams(group: ParamGroup): number {
  return (group.experts ?? 1) * (group.out * group.in + group.bias);
}

/** Parameter count from the architecture (unpadded vocab), total and vision tower. */
export function paramCount(model: ModelArch): { total: number; vision: number } {
  const layout = paramLayout(model);
  let total = 0;
  const perTemplate = layout.templates.map((t) => t.groups.reduce((s, group) => s + groupParams(group), 0));
  for (const t of layout.layerTemplate) total += perTemplate[t] ?? 0;
  total += groupParams(layout.embedding) + (layout.lmHead ? groupParams(layout.lmHead) : 0) + groupParams(layout.finalNorm);
  const vision = layout.vision.reduce((s, group) => s + groupParams(group), 0);
  return { total: total + vision, vision };
}

/** A skip-list entry as skipped() compares it: the fragment with layer indices wildcarded, and its pattern. */
interface SkipMatcher {
  fragment: string;
  pattern: RegExp;
}

// Per QuantSpec (one per model): its matchers, built once, and each parameter group's answer. Built per
// call, a checkpoint with a long ignore list (GLM-5.1-FP8) compiled tens of thousands of regular
// expressions in a lever search that re-plans the same model (0.6 s of a plan, --cpu-prof).
const skipMatchers = new WeakMap<QuantSpec, SkipMatcher[]>();
const skipAnswers = new WeakMap<QuantSpec, Map<string, boolean>>();

function skipMatchersOf(quant: QuantSpec): SkipMatcher[] {
  let matchers = skipMatchers.get(quant);
  if (!matchers) {
    matchers = quant.skipModules.map((module) => {
      const fragment = module.replace(/\.\d+\./g, ".*.").replace(/\*+/g, "*");
      return { fragment, pattern: new RegExp("^" + fragment.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")) };
    });
    skipMatchers.set(quant, matchers);
  }
  return matchers;
}

function skipped(name: string, quant: QuantSpec): boolean {
  // vLLM's is_layer_skipped / modules_to_not_convert: a listed fragment contained in the prefix.
  // Checkpoint names say "model.layers.3.mlp" where ours say "model.layers.*.mlp": compare with the index wildcarded.
  let answers = skipAnswers.get(quant);
  if (!answers) skipAnswers.set(quant, (answers = new Map()));
  const known = answers.get(name);
  if (known !== undefined) return known;
  const answer = skipMatchersOf(quant).some(({ fragment, pattern }) => name.includes(fragment) || fragment.includes(name) || pattern.test(name));
  answers.set(name, answer);
  return answer;
}

export interface RankShape {
  tp: number;
  /** Expert-parallel size (tp × dp when --enable-expert-parallel), else 1. */
  ep: number;
  /** Vision tower replicated instead of TP-sharded (--mm-encoder-tp-mode data). */
  visionReplicated: boolean;
  /** Compute capability as a number (8.0, 9.0): Marlin kernels change GPTQ/AWQ layouts on >= 8.0. */
  cc: number;
  /** Shapes as the checkpoint stores them, without a kernel backend's padding (MXFP4 MoE). */
  asStored?: boolean;
}

/** Elements of one group held by one rank (weight part, bias part). */
function perRankElements(model: ModelArch, group: ParamGroup, shape: RankShape): { w: number; bias: number; out: number; in: number } {
  const tp = group.component === "vision" && shape.visionReplicated ? 1 : shape.tp;
  switch (group.split) {
    case "column":
      return { w: (group.out / tp) * group.in, bias: group.bias / tp, out: group.out / tp, in: group.in };
    case "row":
      return { w: group.out * (group.in / tp), bias: group.bias, out: group.out, in: group.in / tp };
    case "qkv": {
      // QKVParallelLinear: heads/tp query heads; KV heads/tp, or one replicated head when tp >= kv heads.
      const d = model.headDim;
      const q = model.numHeads / tp;
      const kvTotal = group.kvHeads ?? model.numKvHeads;
      const kv = tp >= kvTotal ? 1 : kvTotal / tp;
      const out = (q + 2 * kv) * d;
      return { w: out * group.in, bias: group.bias > 0 ? out : 0, out, in: group.in };
    }
    case "experts": {
      // FusedMoE: with expert parallelism each rank holds experts/ep whole experts; otherwise every
      // rank holds all experts with the intermediate dimension split by tp (w13 rows, w2 columns).
      const experts = (group.experts ?? 1) / shape.ep;
      const split = shape.ep > 1 ? 1 : shape.tp;
      const isW13 = group.name.endsWith("w13");
      const out = isW13 ? group.out / split : group.out;
      const inn = isW13 ? group.in : group.in / split;
      return { w: experts * out * inn, bias: experts * (isW13 ? group.bias / split : group.bias), out, in: inn };
    }
    default:
      return { w: group.out * group.in, bias: group.bias, out: group.out, in: group.in };
  }
}

/** Bytes one rank holds for a linear group under a quantization method (vLLM's create_weights shapes). */
function quantizedBytes(entry: { w: number; out: number; in: number; bias: number }, group: ParamGroup, quant: QuantSpec, dtypeBytes: number, cc: number, asStored = false): number {
  const n = entry.w; // weight elements on this rank (all experts included)
  const mats = n / (entry.out * entry.in); // number of matrices (experts)
  const biasBytes = entry.bias * dtypeBytes;
  const groups = (gs: number): number => (gs > 0 ? Math.ceil(entry.in / gs) : 1);
  switch (quant.method) {
    case "fp8": {
      // fp8.py Fp8LinearMethod.create_weights: float8 weight [out, in] (1 B) + fp32 scales: block
      // scales ceil(out/bo)·ceil(in/bi) (weight_scale_inv), or one per logical shard (per-tensor).
      const scales = quant.blockSize ? Math.ceil(entry.out / quant.blockSize[0]) * Math.ceil(entry.in / quant.blockSize[1]) : group.shards ?? 1;
      return n + mats * scales * 4 + biasBytes;
    }
    case "awq":
      // awq.py AWQLinearMethod.create_weights: qweight int32 [in, out/8], qzeros int32 [in/g, out/8],
      // scales (model dtype) [in/g, out]; awq_marlin repacks into tensors of the same sizes.
      return n * (quant.bits / 8) + mats * groups(quant.groupSize) * entry.out * (quant.bits / 8 + dtypeBytes) + biasBytes;
    case "gptq": {
      // gptq.py / gptq_marlin.py: qweight int32 [in/pack, out] + scales [groups, out] (model dtype).
      // Marlin (SM >= 8.0, symmetric) drops qzeros and keeps g_idx (+ sort indices) only with act-order.
      const marlin = cc >= 8.0;
      const zeros = marlin ? 0 : groups(quant.groupSize) * entry.out * (quant.bits / 8);
      const gIdx = quant.descAct ? entry.in * 4 * (marlin ? 2 : 1) : 0;
      return n * (quant.bits / 8) + mats * (groups(quant.groupSize) * entry.out * dtypeBytes + zeros + gIdx) + biasBytes;
    }
    case "bitsandbytes":
      // bitsandbytes.py: packed uint8 weight (bits/8 B per element) + one fp32 absmax per 64-element block.
      return n * (quant.bits / 8) + Math.ceil(n / 64) * 4 + biasBytes;
    case "mxfp4": {
      // MXFP4 (OCP microscaling): 4-bit elements + one uint8 E8M0 scale per 32 elements.
      if (group.component !== "experts" || asStored) return n / 2 + Math.ceil(n / 32) + biasBytes;
      // Mxfp4MoEMethod.create_weights pads the expert shapes for its kernel backend before loading.
      const pad = mxfp4MoePadding(cc);
      const isW13 = group.name.endsWith("w13");
      const shards = isW13 ? (group.shards ?? 1) : 1;
      const inter = isW13 ? entry.out / shards : entry.in;
      const hidden = isW13 ? entry.in : entry.out;
      const interPad = roundUp(inter, pad.intermediate);
      const hiddenPad = roundUp(hidden, pad.hidden);
      const out = isW13 ? shards * interPad : hiddenPad;
      const inn = isW13 ? hiddenPad : interPad;
      // w13/w2 uint8 [E, out, in/2], scales uint8 [E, out, in/32], biases [E, out] (when the model has them):
      // bf16 as created; the FlashInfer SM100 path re-creates them in fp32 (process_weights_after_loading
      // `w13_bias.data.to(torch.float32)` before shuffling).
      return mats * (out * (inn / 2) + out * Math.ceil(inn / 32) + (entry.bias > 0 ? out * pad.biasBytes : 0));
    }
    case "nvfp4":
      // NVFP4 (ModelOpt): 4-bit elements + one fp8 scale per 16 elements + fp32 global scales.
      return n / 2 + Math.ceil(n / 16) + mats * 8 + biasBytes;
    case "compressed-tensors":
      // w8a8: 1 B + fp32 per-channel scale; w4a16: packed 4-bit + group scales (model dtype).
      return quant.bits >= 8 ? n + mats * entry.out * 4 + biasBytes : n * (quant.bits / 8) + mats * groups(quant.groupSize) * entry.out * dtypeBytes + biasBytes;
    default:
      return (n + entry.bias) * dtypeBytes;
  }
}

/**
 * Expert-shape padding of vLLM's MXFP4 MoE backends (vllm/model_executor/layers/quantization/mxfp4.py
 * get_mxfp4_backend + Mxfp4MoEMethod.create_weights @007d50058a06). Blackwell SM10x with FlashInfer
 * (SM100_FI_MXFP4_BF16, the default there): intermediate and hidden rounded up to 256. Everywhere else on
 * CUDA vram-plan assumes Marlin ("The moe marlin kernel requires that for each linear n % 256 == 0 and
 * k % 128 == 0": intermediate per partition to 128, hidden to 256), which both H100 gpt-oss-120b start-ups
 * in fixtures/vllm-logs use (v0.10.1 logs "Weight-only FP4 compression will be used leveraging the Marlin
 * kernel" and 65.97 GiB loaded; unpadded shapes give 60.8 GiB). The Triton backend (Hopper with the
 * triton_kernels package) pads the intermediate size to 64 only, so the weights there are smaller; which
 * one runs depends on installed packages and environment variables (VLLM_MXFP4_USE_MARLIN), so plans of
 * MXFP4 MoE checkpoints carry a NOT_EXACT warning (architecture.ts).
 */
export function mxfp4MoePadding(cc: number): { backend: "flashinfer-sm100" | "marlin"; intermediate: number; hidden: number; biasBytes: number } {
  if (cc >= 10 && cc < 11) return { backend: "flashinfer-sm100", intermediate: 256, hidden: 256, biasBytes: 4 };
  return { backend: "marlin", intermediate: 128, hidden: 256, biasBytes: 2 };
}

function quantApplies(group: ParamGroup, quant: QuantSpec): boolean {
  if (quant.method === "none") return false;
  if (!group.linear) return group.component === "lm_head" && quant.method === "gptq" && quant.lmHeadQuantized;
  // MXFP4 checkpoints (gpt-oss) quantize only the experts.
  if (quant.method === "mxfp4" && group.component !== "experts") return false;
  // vLLM's Qwen2-VL/Qwen2.5-VL `_maybe_ignore_quant_config`: GPTQ/AWQ checkpoints keep the vision tower unquantized.
  if (group.component === "vision" && (quant.method === "awq" || quant.method === "gptq")) return false;
  return !skipped(group.name, quant);
}

export function groupBytesPerRank(model: ModelArch, group: ParamGroup, shape: RankShape, quant: QuantSpec, dtypeBytes: number): number {
  const elements = perRankElements(model, group, shape);
  if (group.component === "embedding" || group.component === "lm_head") {
    // VocabParallelEmbedding / ParallelLMHead: vocab padded to 64 once, then rows / tp.
    const rows = paddedVocab(group.out) / shape.tp;
    if (quantApplies(group, quant)) return quantizedBytes({ w: rows * group.in, out: rows, in: group.in, bias: 0 }, group, quant, dtypeBytes, shape.cc);
    return rows * group.in * dtypeBytes;
  }
  if (quantApplies(group, quant)) return quantizedBytes(elements, group, quant, dtypeBytes, shape.cc, shape.asStored === true);
  return (elements.w + elements.bias) * dtypeBytes;
}

/**
 * vllm/distributed/utils.py get_pp_indices: layers // pp per stage; the remainder goes one each to
 * the stages before the last (partitions[-2], partitions[-3], ...).
 */
const rangesCache = new Map<number | string, [number, number][]>();

export function ppLayerRanges(layers: number, pp: number): [number, number][] {
  // Exact numeric key while pp < 4096, a string key beyond (never two inputs on one key).
  const key = pp < 4096 ? layers * 4096 + pp : `${layers}/${pp}`;
  let ranges = rangesCache.get(key);
  if (!ranges) rangesCache.set(key, (ranges = computePpLayerRanges(layers, pp)));
  return ranges;
}

function computePpLayerRanges(layers: number, pp: number): [number, number][] {
  const per = Math.floor(layers / pp);
  const parts = Array.from({ length: pp }, () => per);
  const rem = layers % pp;
  for (let i = 2; i < rem + 2; i++) parts[pp - i] = (parts[pp - i] ?? 0) + 1;
  const out: [number, number][] = [];
  let start = 0;
  for (const layersInStage of parts) {
    out.push([start, start + layersInStage]);
    start += layersInStage;
  }
  return out;
}

export interface WeightsBreakdown {
  total: number;
  embedding: number;
  lmHead: number;
  layers: number;
  vision: number;
  rotaryCache: number;
  layersOnStage: number;
}

/**
 * Bytes of weights one rank of pipeline stage `stage` holds, as measured by vLLM's
 * GPUModelRunner.load_model (DeviceMemoryProfiler around the load, so persistent buffers count too).
 */
const weightsCache = new WeakMap<ModelArch, WeakMap<QuantSpec, Map<number | string, WeightsBreakdown>>>();
const DTYPE_INDEX: Record<TorchDtype, number> = { bfloat16: 0, float16: 1, float32: 2 };

export function weightsPerRank(model: ModelArch, shape: RankShape, pp: number, stage: number, dtype: TorchDtype, quant: QuantSpec): WeightsBreakdown {
  // Pure in its inputs: memoized per architecture and quant spec (by identity) under a numeric key,
  // so sweeps and solvers re-plan cheaply. The numeric key is exact only while every field is below
  // its radix (tp, ep < 1024; cc·10 < 256; pp, stage < 128); beyond, a string key (strings and
  // numbers never collide in a Map), so a later plan never gets another plan's weights.
  const cc10 = Math.round(shape.cc * 10);
  const stored = shape.asStored === true ? 1 : 0;
  const key =
    shape.tp < 1024 && shape.ep < 1024 && cc10 >= 0 && cc10 < 256 && pp < 128 && stage < 128
      ? (((((((shape.tp * 1024 + shape.ep) * 2 + (shape.visionReplicated ? 1 : 0)) * 256 + cc10) * 128 + pp) * 128 + stage) * 4) + DTYPE_INDEX[dtype]) * 2 + stored
      : `${shape.tp}/${shape.ep}/${shape.visionReplicated ? 1 : 0}/${cc10}/${pp}/${stage}/${dtype}/${stored}`;
  let byQuant = weightsCache.get(model);
  if (!byQuant) weightsCache.set(model, (byQuant = new WeakMap()));
  let byKey = byQuant.get(quant);
  if (!byKey) byQuant.set(quant, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const weights = computeWeightsPerRank(model, shape, pp, stage, dtype, quant);
  byKey.set(key, weights);
  return weights;
}

function computeWeightsPerRank(model: ModelArch, shape: RankShape, pp: number, stage: number, dtype: TorchDtype, quant: QuantSpec): WeightsBreakdown {
  const layout = paramLayout(model);
  const dtypeBytes = DTYPE_BYTES[dtype];
  const [start, end] = ppLayerRanges(model.numLayers, pp)[stage] ?? [0, model.numLayers];
  const first = stage === 0;
  const last = stage === pp - 1;
  const perTemplate = layout.templates.map((t) => t.groups.reduce((s, group) => s + groupBytesPerRank(model, group, shape, quant, dtypeBytes), 0));
  let layers = 0;
  for (let i = start; i < end; i++) layers += perTemplate[layout.layerTemplate[i] ?? 0] ?? 0;
  // Embedding on the first stage, and also on the last when tied (vLLM's Qwen2Model/LlamaModel:
  // is_first_rank or (tie_word_embeddings and is_last_rank)).
  const embOnStage = first || (model.tieWordEmbeddings && last);
  const embedding = embOnStage ? groupBytesPerRank(model, layout.embedding, shape, quant, dtypeBytes) : 0;
  const lmHead = last && layout.lmHead ? groupBytesPerRank(model, layout.lmHead, shape, quant, dtypeBytes) : 0;
  const finalNorm = last ? model.hiddenSize * dtypeBytes : 0;
  // The vision tower is built on every rank by the *VLForConditionalGeneration classes.
  const vision = layout.vision.reduce((s, group) => s + groupBytesPerRank(model, group, shape, quant, dtypeBytes), 0);
  // vllm/model_executor/layers/rotary_embedding.py RotaryEmbedding._compute_cos_sin_cache: a
  // [max_position, rotary_dim] buffer in the model dtype, one per distinct rope config (get_rope
  // caches instances). Checked: Llama-3.1-8B "Loading model weights took 14.9888 GB" =
  // 8,030,261,248 × 2 B + 131,072 × 128 × 2 B (fixtures/vllm-logs, issue #10517).
  // Rows per rope config are in ModelArch.ropeCachePositions (architecture.ts ropeCachePositions:
  // scaling types, M-RoPE's 4× enlargement, Gemma 3's second cache).
  const rotaryDim = model.mla ? model.mla.qkRopeHeadDim : model.rotaryDim;
  const rotaryCache = model.ropeCachePositions * rotaryDim * dtypeBytes;
  const total = Math.round(layers + embedding + lmHead + finalNorm + vision + rotaryCache);
  return { total, embedding, lmHead, layers, vision, rotaryCache, layersOnStage: end - start };
}
