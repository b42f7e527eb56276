// The activation peak of vLLM's profile run (GPUModelRunner.profile_run): the encoder dummy batch,
// the text dummy run over max_num_batched_tokens tokens, and the sampler warm-up over
// R = min(max_num_batched_tokens, max_num_seqs) rows. The peak is the largest live set: encoder
// outputs stay in encoder_cache and the text run's hidden_states stay alive until the end
// (vllm/v1/worker/gpu_model_runner.py profile_run / _dummy_run / _dummy_sampler_run).
import type { EncoderProfile, ModelArch } from "./types.js";
import type { VllmRules } from "./vllm-versions.js";
import { paddedVocab } from "./weights.js";
import { kvHeadsOnRank } from "./kv-dtypes.js";

export interface ActivationInput {
  model: ModelArch;
  rules: VllmRules;
  tp: number;
  /** Expert-parallel size (1 without --enable-expert-parallel). */
  ep: number;
  dtypeBytes: number;
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
  /** --enforce-eager, or the V0 engine: plain PyTorch, no torch.compile. */
  eager: boolean;
  firstStage: boolean;
  lastStage: boolean;
  /** Whether MoE layers are on this stage. */
  moeOnStage: boolean;
  encoder: EncoderProfile | null;
  /** Streaming multiprocessors of the GPU (sizes the Triton top-k/top-p scratch). */
  smCount: number;
  /** Model Runner V2 runs this model (VllmRules.modelRunnerV2ForDense on a dense model): its own sampler warm-up. */
  modelRunnerV2: boolean;
}

export interface ActivationBreakdown {
  /** Bytes per token of the largest transient of one decoder layer. */
  textBytesPerToken: number;
  textPhaseBytes: number;
  samplerPhaseBytes: number;
  encoderPhaseBytes: number;
  encoderOutputBytes: number;
  peakBytes: number;
  phase: "encoder" | "text" | "sampler";
  samplerRows: number;
}

/** fused_moe chunk (VLLM_FUSED_MOE_CHUNK_SIZE): 32768 in ≈0.6–0.10 envs.py, 16 * 1024 later. */
const FUSED_MOE_CHUNK = 16 * 1024;

/**
 * Elements per token live at the peak of one decoder layer on one rank (model-dtype elements).
 * Dense MLP, eager PyTorch: residual, normed input, gate_up [2I/tp] (held by its local name),
 * act [I/tp] and down output [H] → 3H + 3I/tp. Checked on vLLM logs: Llama-3.1-8B, RTX 3090, V0,
 * 20,000 and 29,000 tokens → 2.07 / 2.99 GiB logged, 2.06 / 2.99 GiB from this term
 * (fixtures/vllm-logs, issue #10517). torch.compile (Inductor) frees gate_up after SiLU-and-mul and
 * the normed input after the matmul → H + max(H + 2I/tp, 3I/tp).
 */
export function textElementsPerToken(model: ModelArch, tp: number, ep: number, eager: boolean, moeLayer: boolean): number {
  const H = model.hiddenSize;
  const kvPerRank = kvHeadsOnRank(model.numKvHeads, tp);
  // Attention: residual + normed + qkv [(nh/tp + 2kv)·d] + attention output [nh/tp·d].
  const qHeads = model.mla ? model.numHeads / tp : model.numHeads / tp;
  const attn = 2 * H + (qHeads + 2 * kvPerRank) * model.headDim + qHeads * model.headDim;
  let mlp: number;
  if (moeLayer && model.moe) {
    const moe = model.moe;
    const iPerRank = ep > 1 ? moe.moeIntermediateSize : moe.moeIntermediateSize / tp;
    // fused_experts_impl: cache13 = M·topk·max(2I, H), cache2 = M·topk·I, plus the output [M, H];
    // router logits [M, E]; residual and normed input.
    mlp = 3 * H + moe.topK * (Math.max(2 * iPerRank, H) + iPerRank) + moe.numExperts;
    if (moe.sharedIntermediateSize > 0) mlp += H; // shared-expert output kept until the sum
  } else {
    const I = model.intermediateSize / tp;
    mlp = eager ? 3 * H + 3 * I : H + Math.max(H + 2 * I, 3 * I);
  }
  return Math.max(attn, mlp);
}

/**
 * Sampler warm-up bytes per (row × vocab) element beyond the model-dtype logits.
 * Native path: measured 36.0 B on an H100 (fixtures/torch/sampler-h100.json; fp32 copy, sort values
 * and int64 indices with 20 B of sort scratch, masks, softmax, scatter). In-place Triton path
 * (topk_topp_triton.py): fp32 copy + softmax + exponential q = 12 B.
 */
export function samplerBytesPerElement(rules: VllmRules, modelRunnerV2 = false): number {
  // Model Runner V2's warm-up (vllm/v1/worker/gpu/sample/sampler.py Sampler.sample): the FP32 copy of the
  // logits only — its dummy batch asks for no top-k/top-p, so apply_top_k_top_p never runs.
  if (modelRunnerV2) return 4;
  return rules.samplerInPlaceTopKTopP ? 12 : 36;
}

export function activationPeak(input: ActivationInput): ActivationBreakdown {
  const model = input.model;
  const dtypeBytes = input.dtypeBytes;
  const N = input.maxNumBatchedTokens;
  // V0 profiles max_num_seqs sequences; V1 min(N, max_num_seqs) dummy requests.
  const R = input.rules.engine === "v0" ? input.maxNumSeqs : Math.min(N, input.maxNumSeqs);
  const denseEls = textElementsPerToken(model, input.tp, input.ep, input.eager, false);
  const moeEls = input.moeOnStage ? textElementsPerToken(model, input.tp, input.ep, input.eager, true) : 0;
  const textBytesPerToken = Math.max(denseEls, moeEls) * dtypeBytes;
  const moeTokens = input.moeOnStage ? Math.min(N, FUSED_MOE_CHUNK) : N;
  const encOut = input.encoder?.outputBytes ?? 0;
  const encoderPhaseBytes = input.encoder ? input.encoder.peakBytes + encOut : 0;
  let textPhaseBytes = encOut + Math.max(denseEls * dtypeBytes * N, moeEls * dtypeBytes * moeTokens + 2 * model.hiddenSize * dtypeBytes * (N - moeTokens));
  // Non-first pipeline stages receive hidden states and residual for N tokens (intermediate_tensors).
  if (!input.firstStage) textPhaseBytes += 2 * N * model.hiddenSize * dtypeBytes;
  let samplerPhaseBytes = 0;
  if (input.lastStage) {
    // compute_logits gathers the full (padded) vocab on every TP rank.
    const V = paddedVocab(model.vocabSize);
    const perElement = dtypeBytes + samplerBytesPerElement(input.rules, input.modelRunnerV2);
    const tritonScratch = input.rules.samplerInPlaceTopKTopP && !input.modelRunnerV2 ? Math.min(R, input.smCount) * V * 4 : 0;
    samplerPhaseBytes = encOut + N * model.hiddenSize * dtypeBytes + R * model.hiddenSize * dtypeBytes + R * V * perElement + tritonScratch;
  }
  const peak = Math.max(encoderPhaseBytes, textPhaseBytes, samplerPhaseBytes);
  const phase = peak === encoderPhaseBytes && input.encoder ? "encoder" : peak === samplerPhaseBytes ? "sampler" : "text";
  return {
    textBytesPerToken,
    textPhaseBytes: Math.round(textPhaseBytes),
    samplerPhaseBytes: Math.round(samplerPhaseBytes),
    encoderPhaseBytes: Math.round(encoderPhaseBytes),
    encoderOutputBytes: Math.round(encOut),
    peakBytes: Math.round(peak),
    phase,
    samplerRows: R,
  };
}
