// Speculative decoding (--speculative-config): what the proposer adds to a rank's memory at start-up.
//
// vLLM source read (vllm-project/vllm):
//   vllm/config/speculative.py SpeculativeConfig.__post_init__: method from the config, or inferred
//     from the draft ("eagle-"/"eagle3-" in the draft's name, medusa / mlp_speculator model types,
//     *_mtp model types), else "draft_model"; MTP methods (deepseek_mtp, qwen3_next_mtp, mimo_mtp, …
//     folded into "mtp") use the target checkpoint itself with n_predict = num_nextn_predict_layers /
//     mtp_num_hidden_layers, and num_speculative_tokens defaults to n_predict;
//     draft_tensor_parallel_size defaults to the target's tensor_parallel_size.
//   vllm/v1/spec_decode/eagle.py EagleProposer.load_model: the draft's attention layers are the
//     layers that are new after loading it (draft_attn_layer_names); embed_tokens is shared with the
//     target when the shapes match and PP = 1 ("Assuming the EAGLE head shares the same vocab
//     embedding with the target model."); lm_head is taken from the target for every method but
//     eagle3 ("Loading EAGLE LM head weights from the target model."); later versions keep a
//     checkpoint's own head (_share_if_not_loaded: DeepSeek MTP's shared_head.head is in the checkpoint).
//   vllm/model_executor/models/deepseek_mtp.py DeepSeekMultiTokenPredictorLayer: enorm, hnorm,
//     eh_proj = nn.Linear(2H, H) (replicated), one decoder layer of the target's kind, shared_head
//     (norm + ParallelLMHead); qwen3_next_mtp.py: fc = ColumnParallelLinear(2H, H), decoder layers,
//     norms. llama_eagle.py fc = Linear(2H, H); llama_eagle3.py fc = Linear(3H, H) and a first layer
//     whose qkv_proj takes 2H inputs, lm_head over draft_vocab_size.
//   GPUModelRunner.load_model (gpu_model_runner.py @000fc94b): the drafter is loaded inside the
//     DeviceMemoryProfiler block, so its weights are part of "Model loading took".
//   vllm/v1/core/kv_cache_utils.py get_kv_cache_groups: the drafter's attention layers are ordinary
//     layers of the KV-cache config; this file gives their specs (SpeculativePlan.kvLayers) and
//     kv-cache.ts kvGroupLayout groups them with the target's exactly as that function does.
import { kvHeadsOnRank, type KvFormatLike } from "./kv-dtypes.js";
import { layerKvSpec, layerKvSpecs, type LayerKvSpec } from "./kv-cache.js";
import type { ExplainLine, ModelArch, QuantSpec, SpeculativeFlags, TorchDtype } from "./types.js";
import { DTYPE_BYTES, paddedVocab, weightsPerRank } from "./weights.js";

export type SpeculativeKind = "ngram" | "mtp" | "eagle" | "eagle3" | "draft_model" | "medusa";

/** Methods without a model of their own (prompt-lookup proposers). */
const NO_WEIGHTS = new Set(["ngram", "ngram_gpu", "suffix", "[ngram]"]);

/** vLLM's method name, resolved as SpeculativeConfig.__post_init__ does. */
export function speculativeKind(spec: SpeculativeFlags): SpeculativeKind {
  const method = (spec.method ?? "").toLowerCase();
  if (NO_WEIGHTS.has(method) || (spec.model ?? "").toLowerCase() === "[ngram]") return "ngram";
  if (method === "mtp" || method.endsWith("_mtp")) return "mtp";
  if (method === "eagle3") return "eagle3";
  if (method === "eagle") return "eagle";
  if (method === "medusa" || method === "mlp_speculator") return "medusa";
  if (method === "draft_model") return "draft_model";
  // No method: inferred from the draft (SpeculativeConfig: "eagle-" / "eagle3-" in the draft's name,
  // or an Eagle architecture; MTP model types), else a plain draft model.
  const arch = spec.draftModel?.architecture.toLowerCase() ?? "";
  const name = (spec.model ?? "").toLowerCase();
  if (arch.includes("eagle3") || name.includes("eagle3")) return "eagle3";
  if (arch.includes("eagle") || name.includes("eagle-")) return "eagle";
  if ((spec.draftModel?.modelType ?? "").endsWith("_mtp")) return "mtp";
  return "draft_model";
}

export interface SpeculativePlan {
  kind: SpeculativeKind;
  numSpeculativeTokens: number;
  /** Drafter weights on one rank of the last pipeline stage. */
  weightsBytes: number;
  /** Drafter attention layers with the target's full-attention KV spec (the same layer shape and page). */
  sameSpecLayers: number;
  /** Drafter attention layers of another spec (another head count or size, a sliding window). */
  ownSpecLayers: number;
  /**
   * The KV spec of every drafter attention layer on a rank of the last stage: get_kv_cache_groups groups them
   * with the target's layers (kv-cache.ts kvGroupLayout), since the drafter's Attention layers are ordinary
   * layers of the same KV-cache config (GPUModelRunner.get_kv_cache_spec walks every attention layer).
   */
  kvLayers: LayerKvSpec[];
  /**
   * Bytes per (row × vocab) element live in the rejection-sampler warm-up, which runs after the
   * ordinary sampler warm-up has freed its temporaries (so it raises the peak only if larger).
   */
  samplerBytesPerElement: number;
  /** What could not be sized (NOT_EXACT warnings). */
  notExact: string[];
  explain: ExplainLine[];
}

export interface SpeculativeInput {
  spec: SpeculativeFlags;
  target: ModelArch;
  tp: number;
  pp: number;
  cc: number;
  dtype: TorchDtype;
  quant: QuantSpec;
  /** --kv-cache-dtype's storage (kv-dtypes.ts; a bare number is a dense dtype of that many bytes): the drafter shares it. */
  kvBytes: KvFormatLike;
}

/** One decoder layer of the target as the MTP module rebuilds it: the weights of the target's last layer. */
function targetLayerBytes(model: ModelArch, index: number, tp: number, cc: number, dtype: TorchDtype, quant: QuantSpec): number {
  // weightsPerRank with one stage per layer: stage i holds exactly decoder layer i.
  return weightsPerRank(model, { tp, ep: 1, visionReplicated: false, cc }, model.numLayers, index, dtype, quant).layers;
}

/**
 * One MTP layer's decoder blocks: the target's last layer; for Nemotron-H-style patterns
 * (mtp_hybrid_override_pattern, e.g. "*E": an attention block then an MoE block) one block of
 * each listed type, sized as the target's last block of that type.
 */
function mtpLayerBytes(model: ModelArch, tp: number, cc: number, dtype: TorchDtype, quant: QuantSpec): number {
  const pattern = model.mtp?.pattern;
  if (!pattern || !model.blockPattern) return targetLayerBytes(model, model.numLayers - 1, tp, cc, dtype, quant);
  let sum = 0;
  for (const blockKind of pattern) {
    const layer = model.blockPattern.lastIndexOf(blockKind);
    if (layer >= 0) sum += targetLayerBytes(model, layer, tp, cc, dtype, quant);
  }
  return sum;
}

export function speculativePlan(input: SpeculativeInput): SpeculativePlan {
  const { spec, target: model, tp, dtype } = input;
  const kind = speculativeKind(spec);
  const dtypeBytes = DTYPE_BYTES[dtype];
  const H = model.hiddenSize;
  const notExact: string[] = [];
  const explain: ExplainLine[] = [];
  const out: SpeculativePlan = { kind, numSpeculativeTokens: spec.numSpeculativeTokens ?? 0, weightsBytes: 0, sameSpecLayers: 0, ownSpecLayers: 0, kvLayers: [], samplerBytesPerElement: 0, notExact, explain };
  // The target's full-attention spec on a rank: what an MTP layer has, and what a drafter layer is compared with.
  const targetFull = layerKvSpec(model, model.layers.find((l) => l.kind === "full") ?? { kind: "full" }, tp, input.kvBytes) as LayerKvSpec;
  // GPUModelRunner._dummy_sampler_run with a speculative config (every method, ngram included):
  // after the sampler warm-up, one draft token per request → logits = torch.randn(num_tokens +
  // num_reqs = 2R, V) in the model dtype, then rejection_sampler(...) whose target probabilities are
  // fp32 [R, V] (draft_probs None): 2b + 4 bytes per (R × V) element.
  out.samplerBytesPerElement = 2 * dtypeBytes + 4;
  explain.push({
    what: "rejection-sampler warm-up",
    formula: `2R × V logits + R × V fp32 probabilities = ${2 * dtypeBytes + 4} B per (R × V) element, after the sampler warm-up's own temporaries are freed (peak raised only beyond them)`,
    source: "vllm/v1/worker/gpu_model_runner.py GPUModelRunner._dummy_sampler_run (speculative_config branch)",
  });
  if (input.pp > 1 && kind !== "ngram") notExact.push("speculative decoding with pipeline parallelism (the drafter is placed on the last stage)");

  if (kind === "ngram") {
    out.numSpeculativeTokens = spec.numSpeculativeTokens ?? 0;
    explain.push({ what: "speculative decoding", formula: `${spec.method ?? "ngram"}: prompt lookup, no weights, no KV layers; K = ${out.numSpeculativeTokens}`, bytes: 0, source: "vllm/config/speculative.py SpeculativeConfig (ngram / suffix proposers run on the CPU or over the token ids)" });
    return out;
  }

  if (kind === "mtp") {
    const mtpLayers = model.mtp?.layers ?? 0;
    if (mtpLayers === 0) {
      notExact.push("MTP speculative decoding: the target's config declares no MTP layers (num_nextn_predict_layers / mtp_num_hidden_layers); vLLM would refuse it");
      return out;
    }
    out.numSpeculativeTokens = spec.numSpeculativeTokens ?? mtpLayers; // defaults to n_predict
    const layer = mtpLayerBytes(model, tp, input.cc, dtype, input.quant);
    // DeepSeek-style: eh_proj nn.Linear(2H, H) replicated, enorm + hnorm + shared_head.norm, own head.
    // Qwen-style: fc ColumnParallelLinear(2H, H) split by TP, pre-fc norms, lm_head shared.
    // Nemotron-H MTP (nemotron_h_mtp.py): eh_proj ColumnParallelLinear(2H, H) split by TP, enorm + hnorm +
    // final_layernorm, lm_head not its own (has_own_lm_head False: the target's is used).
    const own = model.mtp?.ownLmHead === true && model.mtp.pattern === undefined;
    const fc = own ? 2 * H * H : (2 * H * H) / tp;
    const norms = 3 * H; // enorm + hnorm + shared_head.norm, or pre_fc_norm_hidden + pre_fc_norm_embedding + norm
    const head = own ? (paddedVocab(model.vocabSize) / tp) * H : 0;
    const perLayer = layer + (fc + norms + head) * dtypeBytes;
    out.weightsBytes = Math.round(mtpLayers * perLayer);
    // Attention layers of the MTP module: one per layer, or the '*' blocks of a Nemotron-H pattern.
    out.sameSpecLayers = model.mtp?.pattern ? mtpLayers * [...model.mtp.pattern].filter((c) => c === "*").length : mtpLayers;
    out.kvLayers = Array.from({ length: out.sameSpecLayers }, () => targetFull);
    explain.push({
      what: "MTP drafter weights",
      formula: `${mtpLayers} layer(s) × (target layer ${Math.round(layer)} + ${own ? "eh_proj 2H×H replicated + shared_head vocab/tp×H" : "fc 2H×H/tp (lm_head shared)"} + norms) B`,
      bytes: out.weightsBytes,
      source: own ? "vllm/model_executor/models/deepseek_mtp.py DeepSeekMultiTokenPredictorLayer" : model.mtp?.pattern ? "vllm/model_executor/models/nemotron_h_mtp.py NemotronHMultiTokenPredictor (one block per mtp_hybrid_override_pattern character)" : "vllm/model_executor/models/qwen3_next_mtp.py Qwen3NextMultiTokenPredictor",
    });
    explain.push({ what: "MTP KV layers", formula: `${mtpLayers} attention layer(s) with the target's spec join the KV-cache group; K = ${out.numSpeculativeTokens} (layers reused when K > ${mtpLayers})`, value: mtpLayers, source: "vllm/v1/spec_decode/eagle.py EagleProposer.load_model (draft_attn_layer_names); kv_cache_utils.get_kv_cache_groups" });
    return out;
  }

  const draft = spec.draftModel;
  if (!draft) {
    notExact.push(`speculative draft ${spec.model ? `'${spec.model}'` : "model"} (not resolved: its weights and KV layers are not counted)`);
    out.numSpeculativeTokens = spec.numSpeculativeTokens ?? 0;
    return out;
  }
  out.numSpeculativeTokens = spec.numSpeculativeTokens ?? 0;
  const dtp = spec.draftTensorParallelSize ?? tp;
  const weights = weightsPerRank(draft, { tp: dtp, ep: 1, visionReplicated: false, cc: input.cc }, 1, 0, dtype, draft.quant);
  let bytes = weights.total;
  const parts: string[] = [`draft ${weights.total} B`];
  const eagleLike = kind === "eagle" || kind === "eagle3" || kind === "medusa";
  if (eagleLike && input.pp === 1 && draft.vocabSize === model.vocabSize && draft.hiddenSize === model.hiddenSize && dtp === tp) {
    bytes -= weights.embedding; // embed_tokens shared with the target
    parts.push(`− shared embed_tokens ${Math.round(weights.embedding)}`);
  }
  if (kind === "eagle" || kind === "medusa") {
    bytes -= weights.lmHead; // lm_head from the target
    parts.push(`− shared lm_head ${Math.round(weights.lmHead)}`);
  }
  const dH = draft.hiddenSize;
  if (kind === "eagle") {
    bytes += 2 * dH * dH * dtypeBytes; // fc: Linear(2H, H)
    parts.push("+ fc 2H×H");
  }
  if (kind === "eagle3") {
    // llama_eagle3.py: fc = ReplicatedLinear(3H, H); layer 0's qkv_proj reads [embeds, hidden] = 2H
    // inputs (H more than the draft config's layer); a hidden_norm RMSNorm(H); lm_head over
    // draft_vocab_size (vocab_size when absent) and draft_id_to_target_id, int64 [draft_vocab_size].
    const qkvOut = (draft.numHeads / dtp + 2 * kvHeadsOnRank(draft.numKvHeads, dtp)) * draft.headDim;
    bytes += (3 * dH * dH + qkvOut * dH + dH) * dtypeBytes;
    parts.push("+ fc 3H×H + qkv over 2H + hidden_norm");
    const draftVocab = spec.draftVocabSize ?? draft.draftVocabSize ?? draft.vocabSize;
    bytes += (paddedVocab(draftVocab) / dtp) * dH * dtypeBytes - weights.lmHead + draftVocab * 8;
    parts.push(`lm_head over draft_vocab_size ${draftVocab} + draft_id_to_target_id`);
  }
  out.weightsBytes = Math.round(bytes);
  // The same page arithmetic as the target (kv-dtypes.ts): scales and packing of the KV dtype included; a draft
  // config without per-layer kinds has num_hidden_layers full-attention layers.
  const draftLayers = draft.layers.some((l) => l.kind === "full" || l.kind === "sliding") ? draft.layers : Array.from({ length: draft.numLayers }, () => ({ kind: "full" as const }));
  out.kvLayers = layerKvSpecs(draft, draftLayers, dtp, input.kvBytes);
  const dLayers = out.kvLayers.length;
  const same = (l: LayerKvSpec): boolean => l.kind === "full" && l.bytesPerToken === targetFull.bytesPerToken && l.shape === targetFull.shape;
  out.sameSpecLayers = out.kvLayers.filter(same).length;
  out.ownSpecLayers = dLayers - out.sameSpecLayers;
  const ownBytes = [...new Set(out.kvLayers.filter((l) => !same(l)).map((l) => l.bytesPerToken))];
  if (dtp !== tp) notExact.push(`draft_tensor_parallel_size ${dtp} ≠ tensor_parallel_size ${tp} (vLLM V1 runs the drafter on the target's TP group)`);
  explain.push({ what: `${kind} drafter weights`, formula: parts.join(" "), bytes: out.weightsBytes, source: "vllm/v1/spec_decode/eagle.py EagleProposer.load_model; GPUModelRunner.load_model (drafter inside \"Model loading took\")" });
  explain.push({
    what: `${kind} KV layers`,
    formula: out.ownSpecLayers === 0 ? `${dLayers} layer(s) with the target's full-attention spec join its layers` : `${dLayers} layer(s), ${out.ownSpecLayers} of another spec (${ownBytes.join(" / ")} B/token against the target's ${targetFull.bytesPerToken}): grouped with the target's layers as get_kv_cache_groups does`,
    value: dLayers,
    source: "vllm/v1/core/kv_cache_utils.py get_kv_cache_groups (UniformTypeKVCacheSpecs; unify_kv_cache_spec_page_size); src/core/kv-cache.ts kvGroupLayout",
  });
  return out;
}
