// planDeployment: the one entry point that composes the models of vLLM's start-up into a Plan.
// Follows Worker.init_device → load_model → determine_available_memory → get_kv_cache_configs
// (vllm/v1/worker/gpu_worker.py, vllm/utils/mem_utils.py, vllm/v1/core/kv_cache_utils.py) for the vLLM version asked for.
import type { Diagnostic, EngineFlags, ExplainLine, GpuBudget, KvCachePlan, ModelArch, Plan, PlanInput, QuantSpec, ResolvedEngine, TorchDtype } from "./types.js";
import { LARGE_GPU_MIN_BYTES, MAX_MODEL_LEN_AUTO, NEWEST_MODELED, batchDefaults, beyondModeled, largeGpuTable, rulesFor, rulesOrNewest, UTILIZATION_DEFAULT_HISTORY, versionOf, type VllmRules } from "./vllm-versions.js";
import { DTYPE_BYTES, paddedVocab, ppLayerRanges, weightsPerRank } from "./weights.js";
import { kvCacheFormat, kvCachePlan, kvLayout } from "./kv-cache.js";
import { kvDtypeNotExact, kvDtypeProblem, type KvFormatLike } from "./kv-dtypes.js";
import { encoderProfile, hasVideo } from "./vision.js";
import { activationPeak, samplerBytesPerElement } from "./profile-run.js";
import { capCudaGraphPlan, cudaGraphEquivalents, cudaGraphExplain, cudaGraphPlan, cudaGraphStageBytes, graphActivationShape } from "./cuda-graphs.js";
import { CUDA_CONTEXT_BYTES, CUDA_CONTEXT_MIN_BYTES, NCCL_BYTES_PER_RANK, NON_TORCH_INCREASE_BYTES } from "./non-torch.js";
import { hybridIndivisibleByTp, hybridAlignBlockSize, hybridAttnBytesPerToken, hybridKvPlan, mambaStatePageBytes, resolveMambaCacheMode, resolveMambaStateDtypes, type StateDtypeName } from "./hybrid-kv.js";
import { hostMemoryPlan } from "./host-memory.js";
import { drafterActivationExtra, featureEffects, stageFeatures, type FeatureInput } from "./memory-features.js";
import { kvBytesPerTokenPerLayer } from "./kv-cache.js";

export interface PlanOptions {
  /** Build the line-by-line arithmetic (costs time; off for sweeps). */
  explain?: boolean;
  /**
   * The max_model_len the profile run used when --max-model-len auto shortened it afterwards
   * (vLLM profiles with the config's length, then fits the KV cache: kv_cache_utils._auto_fit_max_model_len).
   */
  profileMaxModelLen?: number;
}

function resolveDtype(model: ModelArch, flags: EngineFlags, cc: number, diags: Diagnostic[]): TorchDtype {
  if (flags.dtype) {
    if (flags.dtype === "bfloat16" && cc < 8) {
      diags.push({ code: "BF16_UNSUPPORTED", severity: "error", args: { cc: cc.toFixed(1) }, fix: [{ flag: "--dtype", value: "float16", flags: { dtype: "float16" } }] });
    }
    return flags.dtype;
  }
  // ModelConfig._get_and_verify_dtype: "auto" on a GPU without bf16 (cc < 8.0) falls back to float16.
  if (model.dtype === "bfloat16" && cc < 8) return "float16";
  return model.dtype;
}

/** Methods vLLM can apply to a 16-bit checkpoint while loading; the others need a quantized checkpoint. */
const ONLINE_QUANT = new Set(["fp8", "bitsandbytes"]);

const onlineQuant = new WeakMap<ModelArch, Map<string, QuantSpec>>();
/**
 * The lowest compute capability (major·10 + minor) each quantization method runs on: VllmConfig
 * _get_quantization_config (vllm/config/vllm.py) raises "The quantization method X is not supported for
 * the current GPU. Minimum capability: N. Current capability: M." below `get_min_capability()`. Values
 * of vLLM v0.30.0's configs (fp8.py Fp8Config 75, awq.py AWQConfig 75, mxfp4.py Mxfp4Config 80,
 * modelopt.py ModelOptNvFp4Config 75, bitsandbytes.py 70, compressed_tensors.py 70; gptq.py GPTQConfig 60
 * keeps the exllama kernel below Marlin's 75). Fp8Config returned 80 before Marlin ran on Turing (PR
 * #29901); that release boundary is not verified, so a T4 (7.5) passes fp8 in every release here, while
 * a V100 (7.0), below both values, is refused in every release.
 */
const QUANT_MIN_CAPABILITY: Partial<Record<QuantSpec["method"], number>> = {
  fp8: 75,
  awq: 75,
  gptq: 60,
  mxfp4: 80,
  nvfp4: 75,
  bitsandbytes: 70,
  "compressed-tensors": 70,
};

function resolveQuant(model: ModelArch, flags: EngineFlags): QuantSpec {
  const method = flags.quantization;
  if (method && ONLINE_QUANT.has(method) && model.quant.method === "none") {
    // Online quantization of a 16-bit checkpoint (e.g. --quantization fp8): weights end in the
    // quantized format. One spec object per (model, method) so weight caches keyed on it hit.
    let byMethod = onlineQuant.get(model);
    if (!byMethod) onlineQuant.set(model, (byMethod = new Map()));
    let quant = byMethod.get(method);
    if (!quant) byMethod.set(method, (quant = { ...model.quant, method, bits: method === "fp8" ? 8 : 4, serialized: false }));
    return quant;
  }
  return model.quant;
}

function defaultBlockSize(model: ModelArch, cc: number): number {
  // CacheConfig: DEFAULT_BLOCK_SIZE 16 on CUDA. MLA (vllm/platforms/cuda.py check_and_update_config):
  // FlashMLA on Hopper "Forcing kv cache block size to 64"; CUTLASS MLA on Blackwell "... to 128";
  // elsewhere (Ampere, Ada) the Triton MLA backend keeps 16.
  if (!model.mla) return 16;
  if (cc >= 10) return 128;
  if (cc >= 9) return 64;
  return 16;
}

interface StageResult {
  budget: GpuBudget;
  /** vLLM's CUDA-graph estimate as other hosts logged it (cuda-graphs.ts CudaGraphBytes low / high). */
  cudaGraphRange: [number, number];
  kv: KvCachePlan;
  textBytesPerToken: number;
  startupError?: string;
}

/**
 * KV cache of a hybrid model (attention + Mamba-2 / Gated DeltaNet) on one stage: Mamba state pages,
 * the attention block raised to cover them, uniform-page groups (hybrid-kv.ts, from vLLM's
 * mamba_utils.py, kv_cache_interface.py, kv_cache_utils.py and _align_hybrid_block_size).
 */
function hybridStageKv(model: ModelArch, layers: ModelArch["layers"], tp: number, kvBytes: KvFormatLike, dtypeBytes: number, userBlock: number | undefined, available: number, maxModelLen: number, maxNumSeqs: number, version: string, fullGraphs: boolean, spec: { numSpeculativeTokens: number; extraAttentionLayers: number; ssmDtype?: StateDtypeName | undefined } = { numSpeculativeTokens: 0, extraAttentionLayers: 0 }, captureSizes?: readonly number[]): { kv: KvCachePlan; startupError?: string; cappedMaxCaptureSize?: number } {
  const hybrid = model.hybrid as NonNullable<ModelArch["hybrid"]>;
  let attention = 0;
  let mamba = 0;
  for (const layer of layers) {
    if (layer.kind === "full" || layer.kind === "sliding") attention++;
    else if (layer.kind === "linear" || layer.kind === "mamba") mamba++;
  }
  // Speculative MTP / EAGLE layers join the attention layers (HybridKvInput.attentionLayers).
  attention += spec.extraAttentionLayers;
  const attnBpt = hybridAttnBytesPerToken(hybrid.numKvHeads, hybrid.headDim, tp, kvBytes);
  const dtypes = resolveMambaStateDtypes(spec.ssmDtype ? { family: hybrid.family, modelDtypeBytes: dtypeBytes, configSsmDtype: hybrid.configSsmDtype, mambaSsmCacheDtype: spec.ssmDtype } : { family: hybrid.family, modelDtypeBytes: dtypeBytes, configSsmDtype: hybrid.configSsmDtype });
  // num_speculative_tokens adds rows to the conv state (mambaStateShapes numSpec).
  const mambaPage = mambaStatePageBytes(hybrid.mamba, tp, dtypes, spec.numSpeculativeTokens);
  // V1 turns prefix caching on by default; the mode then follows the model's Mamba prefix-caching support
  // (and "align" when speculative decoding is on: MambaModelConfig.verify_and_update_config).
  const mode = resolveMambaCacheMode({ prefixCaching: true, supportsMambaPrefixCaching: hybrid.supportsMambaPrefixCaching, speculative: spec.numSpeculativeTokens > 0, version });
  // Mamba-2's chunk size (config chunk_size; vLLM's default 256 when absent — get_mamba_chunk_size) bounds "all" mode blocks.
  const chunk = hybrid.mamba.kind === "mamba2" ? (hybrid.mamba.chunkSize ?? 256) : undefined;
  const block = hybridAlignBlockSize(attnBpt, mambaPage, userBlock ?? 16, chunk !== undefined ? { version, mambaCacheMode: mode, mambaChunkSize: chunk } : { version, mambaCacheMode: mode }).blockSize;
  const hybridPlan = hybridKvPlan({ attentionLayers: attention, mambaLayers: mamba, attnBytesPerTokenPerLayer: attnBpt, mambaPageBytes: mambaPage, blockSize: block, availableBytes: Math.max(0, available), maxModelLen, maxNumSeqs, mambaCacheMode: mode, version, fullCudagraphs: fullGraphs, numSpeculativeTokens: spec.numSpeculativeTokens, ...(captureSizes ? { captureSizes } : {}) });
  const kv: KvCachePlan = {
    bytesPerToken: attnBpt * attention,
    pageSizeBytes: hybridPlan.pageSize,
    blockSize: hybridPlan.blockSize,
    numGroups: hybridPlan.numGroups,
    groupSize: hybridPlan.groupSize,
    numGpuBlocks: hybridPlan.numGpuBlocks,
    tokens: hybridPlan.tokens,
    maxConcurrency: hybridPlan.maxConcurrency,
    bytesNeededForMaxModelLen: hybridPlan.bytesNeededForMaxModelLen,
    estimatedMaxModelLen: hybridPlan.estimatedMaxModelLen,
  };
  const out: { kv: KvCachePlan; startupError?: string; cappedMaxCaptureSize?: number } = { kv };
  if (hybridPlan.startupError) out.startupError = hybridPlan.startupError;
  if (hybridPlan.cappedMaxCaptureSize !== undefined) out.cappedMaxCaptureSize = hybridPlan.cappedMaxCaptureSize;
  return out;
}

/** Plans one vLLM deployment: where each GPU's memory goes at start-up, and whether it starts. */
export function planDeployment(input: PlanInput, opts: PlanOptions = {}): Plan {
  if (input.flags.maxModelLenAuto) return planAutoMaxModelLen(input, opts);
  const { model, gpu, flags } = input;
  const diags: Diagnostic[] = [];
  const explain: ExplainLine[] = [];
  const ex = (line: ExplainLine): void => {
    if (opts.explain) explain.push(line);
  };
  // An unreadable release is refused here (VersionError), never planned as the newest: the CLI's edge
  // (sources/vllm-flags.ts checkedRelease) already refuses it with exit 2 naming --vllm-version.
  if (flags.vllmVersion !== undefined) versionOf(flags.vllmVersion);
  const rules: VllmRules = rulesFor(flags.vllmVersion ?? NEWEST_MODELED) ?? (rulesFor(NEWEST_MODELED) as VllmRules);
  const cc = computeCapability(gpu.computeCapability);
  const tp = flags.tensorParallelSize;
  const pp = flags.pipelineParallelSize;
  const ep = flags.enableExpertParallel && model.moe ? tp * Math.max(1, flags.dataParallelSize) : 1;
  const dtype = resolveDtype(model, flags, cc, diags);
  const dtypeBytes = DTYPE_BYTES[dtype];
  const quant = resolveQuant(model, flags);
  if (flags.quantization && flags.quantization !== "none" && model.quant.method === "none" && !ONLINE_QUANT.has(flags.quantization)) {
    diags.push({ code: "QUANTIZATION_NEEDS_CHECKPOINT", severity: "error", args: { method: flags.quantization }, fix: [{ flag: "--quantization", value: "fp8", note: "or a checkpoint already quantized with this method", flags: { quantization: "fp8" } }] });
  }
  const minCapability = QUANT_MIN_CAPABILITY[quant.method];
  if (minCapability !== undefined && Math.round(cc * 10) < minCapability) {
    diags.push({ code: "QUANTIZATION_UNSUPPORTED_GPU", severity: "error", args: { method: quant.method, min: minCapability, cc: Math.round(cc * 10) } });
  }
  const util = flags.gpuMemoryUtilization ?? rules.defaultUtilization;

  // --- Validation vLLM does before loading (ModelConfig.verify_with_parallel_config, QKVParallelLinear).
  if (model.numHeads % tp !== 0) {
    diags.push({ code: "HEADS_NOT_DIVISIBLE_BY_TP", severity: "error", args: { heads: model.numHeads, tp }, fix: divisorFix(model.numHeads, tp, pp * Math.max(1, flags.dataParallelSize)) });
  } else if (!model.mla) {
    // Every layer's QKVParallelLinear checks its own KV heads (Nemotron-NAS layers carry their own count).
    const badKv = [model.numKvHeads, ...(model.nasBlocks ? model.nasBlocks.map((b) => b.kvHeads ?? model.numKvHeads) : [])].find((h) => (tp >= h ? tp % h !== 0 : h % tp !== 0));
    if (badKv !== undefined) diags.push({ code: "KV_HEADS_NOT_DIVISIBLE", severity: "error", args: { kvHeads: badKv, tp }, fix: divisorFix(badKv, tp, pp * Math.max(1, flags.dataParallelSize)) });
  }
  const hybridDim = model.hybrid ? hybridIndivisibleByTp(model.hybrid.mamba, tp) : null;
  if (hybridDim) diags.push({ code: "MAMBA_DIM_NOT_DIVISIBLE_BY_TP", severity: "error", args: { what: hybridDim.what, n: hybridDim.n, tp }, fix: divisorFix(hybridDim.n, tp, pp * Math.max(1, flags.dataParallelSize)) });
  if (model.numLayers < pp) diags.push({ code: "LAYERS_FEWER_THAN_PP", severity: "error", args: { layers: model.numLayers, pp } });
  let maxModelLen = flags.maxModelLen ?? model.derivedMaxModelLen;
  if (flags.maxModelLen !== undefined && flags.maxModelLen > model.derivedMaxModelLen) {
    diags.push({ code: "MAX_MODEL_LEN_ABOVE_DERIVED", severity: "error", args: { maxModelLen: flags.maxModelLen, derived: model.derivedMaxModelLen }, fix: [{ flag: "--max-model-len", value: String(model.derivedMaxModelLen), flags: { maxModelLen: model.derivedMaxModelLen } }] });
    maxModelLen = flags.maxModelLen;
  }
  const batch = batchDefaults(rules, gpu.cudaTotalBytes, gpu.name, flags.usageContext, maxModelLen, flags.maxNumSeqs, flags.maxNumBatchedTokens);
  if (batch.maxNumSeqs > batch.maxNumBatchedTokens) {
    diags.push({ code: "MAX_NUM_SEQS_ABOVE_BATCHED_TOKENS", severity: "error", args: { maxNumSeqs: batch.maxNumSeqs, maxNumBatchedTokens: batch.maxNumBatchedTokens }, fix: [{ flag: "--max-num-batched-tokens", value: String(batch.maxNumSeqs), flags: { maxNumBatchedTokens: batch.maxNumSeqs } }] });
  }
  const blockSize = flags.blockSize ?? defaultBlockSize(model, cc);
  // --kv-cache-dtype's storage (kv-dtypes.ts): element bytes, per-token-head scales, nvfp4/TurboQuant packing.
  const kvFmt = kvCacheFormat(flags.kvCacheDtype === "auto" && quant.kvCacheFp8 ? "fp8" : flags.kvCacheDtype, dtype);
  const kvBytes = kvFmt.storageBytes;
  const kvProblem = kvDtypeProblem(flags.kvCacheDtype, { mla: model.mla !== null, headDim: model.headDim }, cc);
  if (kvProblem) diags.push({ code: "KV_CACHE_DTYPE_UNSUPPORTED", severity: "error", args: { ...kvProblem, ...(gpu.rocmArch ? { rocmArch: gpu.rocmArch } : {}) }, fix: [{ flag: "--kv-cache-dtype", value: "fp8", flags: { kvCacheDtype: "fp8" } }] });
  const kvInexact = kvDtypeNotExact(flags.kvCacheDtype, { mla: model.mla !== null, hybrid: Boolean(model.hybrid) });
  if (kvInexact) diags.push({ code: "NOT_EXACT", severity: "warning", args: { what: kvInexact } });
  // Memory features (LoRA, speculative decoding, offload, compilation config): memory-features.ts.
  const fxIn: FeatureInput = { model, flags, rules, tp, pp, ep, cc, dtype, quant, kvBytes: kvFmt, dense: facts(model).dense, maxNumBatchedTokens: batch.maxNumBatchedTokens, maxNumSeqs: batch.maxNumSeqs };
  const fx = featureEffects(fxIn);
  const dense = facts(model).dense;
  // CUDA graphs: capture sizes, per-release budget rule and estimate (cuda-graphs.ts cudaGraphPlan).
  const graphs = cudaGraphPlan({
    rules,
    enforceEager: flags.enforceEager,
    graphsOff: fx.graphsOff,
    capture: fx.capture,
    graphMultiplier: fx.graphMultiplier,
    maxNumSeqs: batch.maxNumSeqs,
    maxNumBatchedTokens: batch.maxNumBatchedTokens,
    dense,
    kvCacheMemoryFixed: flags.kvCacheMemoryBytes !== undefined,
  });
  const graphsOn = graphs.captured;
  const graphsInBudget = graphs.inBudget;
  const engine: ResolvedEngine = {
    vllmVersion: rules.version,
    engine: rules.engine,
    gpuMemoryUtilization: util,
    maxModelLen,
    maxNumSeqs: batch.maxNumSeqs,
    maxNumBatchedTokens: batch.maxNumBatchedTokens,
    blockSize,
    dtype,
    kvCacheDtype: flags.kvCacheDtype,
    kvBytesPerElement: kvBytes,
    cudaGraphs: graphsOn,
    cudaGraphEstimateSubtracted: graphsInBudget,
    cudaGraphCaptureSizes: graphs.piecewise + graphs.full,
    maxCaptureSize: graphs.largest,
    chunkedPrefill: batch.chunkedPrefill,
  };
  if (opts.explain) {
    // Where each default came from: the flag the user gave, or the rule vLLM applies (named).
    ex({ what: "vLLM version", formula: `${rules.version} (${rules.engine.toUpperCase()} engine)`, source: `${flags.vllmVersion !== undefined ? `--vllm-version ${flags.vllmVersion}` : `default: the newest release modeled (${NEWEST_MODELED})`}; rules in src/core/vllm-versions.ts` });
    const large = rules.engine === "v1" && largeGpuTable(gpu.cudaTotalBytes, gpu.name);
    const table =
      rules.engine === "v0"
        ? "V0 SchedulerConfig defaults (256 sequences; chunked prefill above 32,768 tokens)"
        : `vllm/engine/arg_utils.py EngineArgs._set_default_args: the ${large ? "large-GPU table (>= 70 GiB and not an A100)" : `small-GPU table (${gpu.cudaTotalBytes < LARGE_GPU_MIN_BYTES ? "under 70 GiB" : "an A100"})`}, ${flags.usageContext === "offline" ? "LLM class" : "API server"} column`;
    const seqsFrom = flags.maxNumSeqs !== undefined ? "--max-num-seqs" : table;
    const tokensFrom = flags.maxNumBatchedTokens !== undefined ? "--max-num-batched-tokens" : table;
    ex({ what: "max_num_seqs", formula: flags.maxNumSeqs !== undefined ? "as given" : "vLLM's default", value: batch.maxNumSeqs, source: flags.maxNumSeqs === undefined && batch.maxNumSeqs < (large ? 1024 : 256) ? `${seqsFrom}, capped at max_num_batched_tokens` : seqsFrom });
    ex({ what: "max_num_batched_tokens", formula: flags.maxNumBatchedTokens !== undefined ? "as given" : "vLLM's default", value: batch.maxNumBatchedTokens, source: tokensFrom });
    ex({ what: "max_model_len", formula: flags.maxModelLen !== undefined ? "as given" : "vLLM's default", value: maxModelLen, source: flags.maxModelLen !== undefined ? "--max-model-len" : "default: derived from config.json (max_position_embeddings × rope scaling; vllm/config/model.py _get_and_verify_max_len)" });
    ex({ what: "gpu_memory_utilization", formula: flags.gpuMemoryUtilization !== undefined ? "as given" : "vLLM's default", value: util, source: flags.gpuMemoryUtilization !== undefined ? "--gpu-memory-utilization" : `default of vLLM ${rules.version}: ${rules.defaultUtilization} (${UTILIZATION_DEFAULT_HISTORY})` });
    ex({ what: "dtype", formula: `${dtype}${flags.dtype !== undefined ? " (as given)" : ""}`, source: flags.dtype !== undefined ? "--dtype" : model.dtype !== dtype ? `default "auto": the config's ${model.dtype}, which this GPU (compute capability ${cc.toFixed(1)}) lacks, so float16 (vllm/config/model.py _get_and_verify_dtype)` : `default "auto": the config's torch_dtype (vllm/config/model.py _get_and_verify_dtype)` });
    ex({ what: "kv_cache_dtype", formula: `${flags.kvCacheDtype} (${kvBytes} B per element${kvBytesPerTokenPerLayer(model, tp, kvFmt) !== kvBytesPerTokenPerLayer(model, tp, kvBytes) ? `; ${kvBytesPerTokenPerLayer(model, tp, kvFmt)} B per token per attention layer on one rank with scales and packing` : ""})`, source: flags.kvCacheDtype !== "auto" ? "--kv-cache-dtype" : quant.kvCacheFp8 ? "default \"auto\": the checkpoint's own fp8 KV cache (kv_cache_quant_algo)" : "default \"auto\": the model dtype (vllm/config/cache.py CacheConfig.cache_dtype)" });
    ex({ what: "block_size", formula: `${blockSize} tokens`, source: flags.blockSize !== undefined ? "--block-size" : model.mla && cc >= 9 ? `default for MLA on compute capability ${cc.toFixed(1)} (vllm/platforms/cuda.py check_and_update_config: FlashMLA ${cc >= 10 ? "/ CUTLASS MLA 128" : "64"})` : "default: CacheConfig.DEFAULT_BLOCK_SIZE 16 (vllm/config/cache.py); hybrid models raise it to cover a Mamba state page" });
  }

  // Qwen2(.5)-VL builds no vision tower when every multimodal limit is 0 (qwen2_5_vl.py __init__).
  const limits = flags.limitMmPerPrompt ?? {};
  // --language-model-only: the encoder is neither built nor profiled (MultiModalConfig.language_model_only).
  // Every modality the family has at 0 (a family without video only needs image 0: vision/<family>.ts hasVideo).
  const towerBuilt = model.vision !== null && !(limits["image"] === 0 && (limits["video"] === 0 || !hasVideo(model.vision))) && flags.languageModelOnly !== true;
  const modelForWeights: ModelArch = towerBuilt || !model.vision ? model : textOnly(model);

  const encoder = towerBuilt
    ? cachedEncoderProfile({
        model,
        maxModelLen: opts.profileMaxModelLen ?? maxModelLen,
        maxNumSeqs: batch.maxNumSeqs,
        maxNumBatchedTokens: batch.maxNumBatchedTokens,
        limits,
        kwargs: flags.mmProcessorKwargs,
        tp,
        encoderDataParallel: flags.mmEncoderTpMode === "data",
        skipMmProfiling: flags.skipMmProfiling,
      })
    : null;

  const ranges = ppLayerRanges(model.numLayers, pp);
  const world = tp * pp;
  const dp = Math.max(1, flags.dataParallelSize);
  const stages: StageResult[] = [];
  const moeLayer = facts(model).moeLayer;
  for (let stage = 0; stage < pp; stage++) {
    const [start, end] = ranges[stage] ?? [0, 0];
    const first = stage === 0;
    const last = stage === pp - 1;
    const w0 = weightsPerRank(modelForWeights, { tp, ep, visionReplicated: flags.mmEncoderTpMode === "data", cc }, pp, stage, dtype, quant);
    // LoRA slots and the drafter load inside "Model loading took"; --cpu-offload-gb moves layers to the host.
    const sf = stageFeatures(fxIn, fx, stage, w0, dtypeBytes);
    const weights = sf.weightsDelta === 0 ? w0 : { ...w0, total: w0.total + sf.weightsDelta };
    let moeOnStage = false;
    for (let i = start; i < end && !moeOnStage; i++) moeOnStage = moeLayer[i] === true;
    const act0 = activationPeak({
      model,
      rules,
      tp,
      ep,
      dtypeBytes,
      maxNumBatchedTokens: batch.maxNumBatchedTokens,
      maxNumSeqs: batch.maxNumSeqs,
      eager: flags.enforceEager || rules.engine === "v0",
      firstStage: first,
      lastStage: last,
      moeOnStage,
      encoder: first ? encoder : null,
      smCount: gpu.smCount,
      // Its sampler warm-up is modeled without speculative decoding only (the rejection-sampler warm-up
      // below was worked for Model Runner V1).
      modelRunnerV2: rules.modelRunnerV2ForDense && dense && !fx.spec,
    });
    // The rejection-sampler warm-up replaces the sampler warm-up's temporaries (b + samplerBytesPerElement
    // per row × vocab element): it adds only what it holds beyond them.
    const specSampler = last && fx.spec ? Math.max(0, (fx.spec.samplerBytesPerElement - dtypeBytes - samplerBytesPerElement(rules)) * act0.samplerRows * paddedVocab(model.vocabSize)) : 0;
    // The drafter's dummy run (speculative decoding) after the target's forward in the same _dummy_run.
    const drafter = last && fx.spec ? drafterActivationExtra(fxIn, fx, act0, flags.enforceEager || rules.engine === "v0") : { bytes: 0 };
    if (drafter.line && opts.explain) ex(drafter.line);
    const act = withFeatureActivation(act0, sf.activationExtraBytes + drafter.bytes, specSampler);
    let stageGraphs = graphs;
    const graphShape = graphActivationShape(model, tp, ep, dtypeBytes, cc, moeOnStage, end - start, rules.mrv2SegmentPerGraph && rules.modelRunnerV2ForDense && dense && !fx.spec);
    let cgBytes = cudaGraphStageBytes(graphs, graphShape);
    let cg = cgBytes.estimateBytes;
    const total = gpu.cudaTotalBytes;
    const requested = Math.floor(total * util);
    const ncclBytes = world > 1 ? NCCL_BYTES_PER_RANK : 0;
    // NCCL buffers are not in vLLM's non-torch increase: created before the baseline snapshot from
    // v0.11 (PR #25359), and a v0.10.2 TP8 start-up also logged only 0.21 GiB of non-torch memory
    // (calibration.jsonl), so they only reduce the free memory at the start-up check.
    const nonTorch = NON_TORCH_INCREASE_BYTES;
    // --kv-cache-memory: Worker.determine_available_memory still runs profile_run but returns the flag's
    // bytes before any profiling arithmetic or CUDA-graph estimate (every release since PR #21489), so
    // graphs come out of whatever is left physically.
    const kvFixed = flags.kvCacheMemoryBytes !== undefined;
    const cgInBudget = graphsInBudget ? cg : 0;
    const kvBytesAvail = kvFixed ? (flags.kvCacheMemoryBytes as number) : requested - weights.total - act.peakBytes - nonTorch - cgInBudget;
    // --other-process-memory when given, else what --gpu auto saw on the GPU (sources/nvidia-smi.ts).
    const otherBytes = flags.otherProcessBytes > 0 ? flags.otherProcessBytes : (gpu.otherProcessBytes ?? 0);
    const freeAtStart = total - CUDA_CONTEXT_BYTES - otherBytes - ncclBytes;
    const layers = stageLayers(model, start, end);
    let kv: KvCachePlan;
    let startupError: string | undefined;
    if (model.hybrid) {
      const stageKv = hybridStageKv(model, layers, tp, kvFmt, dtypeBytes, flags.blockSize, kvBytesAvail, maxModelLen, batch.maxNumSeqs, rules.version, graphs.fullModeForMambaCheck, {
        numSpeculativeTokens: fx.spec?.numSpeculativeTokens ?? 0,
        extraAttentionLayers: last && fx.spec ? fx.spec.sameSpecLayers + fx.spec.ownSpecLayers : 0,
        ssmDtype: fx.mambaSsmCacheDtype,
      }, graphs.captured ? graphs.sizes : undefined);
      kv = stageKv.kv;
      startupError = stageKv.startupError;
      // hybridStageKv sizes every drafter layer at the target's attention page; one of another spec would meet the
      // Mamba page in unify_kv_cache_spec_page_size (padding, PR #45207), which is not modeled.
      if (last && fx.spec && fx.spec.ownSpecLayers > 0) diags.push({ code: "NOT_EXACT", severity: "warning", args: { what: `${fx.spec.ownSpecLayers} drafter attention layer(s) whose KV spec differs from the hybrid target's attention layers (sized as them)` } });
      // v0.17–v0.18 capped the capture sizes to the Mamba blocks after KV sizing: fewer graphs to capture.
      if (stageKv.cappedMaxCaptureSize !== undefined && !graphs.inBudget) {
        stageGraphs = capCudaGraphPlan(graphs, stageKv.cappedMaxCaptureSize);
        cgBytes = cudaGraphStageBytes(stageGraphs, graphShape);
        cg = cgBytes.estimateBytes;
      }
    } else {
      // The drafter's attention layers (speculative decoding) live with the last stage, in the same KV-cache groups.
      const layout = kvLayout(model, layers, tp, kvFmt, blockSize, flags.disableHybridKvCacheManager, last && fx.spec ? fx.spec.kvLayers : []);
      if (layout.pagesPadded) diags.push({ code: "NOT_EXACT", severity: "warning", args: { what: "KV pages that do not divide the largest page (a drafter's against the target's): vLLM @001cabc1 refuses to start (NotImplementedError in unify_kv_cache_spec_page_size), later releases pad them to the largest page, as planned here" } });
      kv = kvCachePlan(layout, Math.max(0, kvBytesAvail), maxModelLen, batch.maxNumBatchedTokens, rules.tokensFromConcurrency);
    }
    const budgetBytes = kvFixed ? weights.total + act.peakBytes + nonTorch + kvBytesAvail : requested;
    // --kv-cache-memory above what the card has: vLLM fails allocating it (KV_CACHE_MEMORY_ABOVE_FREE);
    // nothing is left outside the budget, and a byte count is never negative.
    const outside = Math.max(0, total - budgetBytes);
    const budget: GpuBudget = {
      ppStage: stage,
      ranks: rankList(stage, tp),
      layers: end - start,
      totalBytes: total,
      requestedBytes: requested,
      freeAtStartBytes: freeAtStart,
      cudaContextBytes: CUDA_CONTEXT_BYTES,
      weightsBytes: weights.total,
      activationPeakBytes: act.peakBytes,
      activationPhase: act.phase,
      encoderPeakBytes: act.encoderPhaseBytes,
      samplerPeakBytes: act.samplerPhaseBytes,
      textPeakBytes: act.textPhaseBytes,
      nonTorchBytes: nonTorch,
      cudaGraphBytes: cg,
      cudaGraphInBudget: cgInBudget > 0,
      // Never negative in the result: a budget already spent is a shortfall, in its own field.
      kvCacheBytes: Math.max(0, kvBytesAvail),
      kvShortfallBytes: Math.max(0, -kvBytesAvail),
      budgetBytes,
      kvCacheMemoryFixed: kvFixed,
      outsideBudgetBytes: outside,
      ncclBytes,
      otherProcessBytes: otherBytes,
      expectedUsedBytes: budgetBytes + CUDA_CONTEXT_BYTES + ncclBytes + (cgInBudget > 0 ? 0 : cg),
    };
    const cudaGraphRange: [number, number] = [cgBytes.lowBytes, cgBytes.highBytes];
    stages.push(startupError ? { budget, kv, cudaGraphRange, textBytesPerToken: act.textBytesPerToken, startupError } : { budget, kv, cudaGraphRange, textBytesPerToken: act.textBytesPerToken });
    if (opts.explain) {
      const st = pp > 1 ? ` (stage ${stage})` : "";
      ex({ what: `budget${st}`, formula: `${total} B total × ${util}`, bytes: requested, source: "vllm/v1/worker/gpu_worker.py Worker.init_device: requested_memory = total_memory × gpu_memory_utilization (total from cudaMemGetInfo)" });
      ex({ what: `weights${st}`, formula: `layers ${Math.round(weights.layers)} + embedding ${Math.round(weights.embedding)} + lm_head ${Math.round(weights.lmHead)} + vision ${Math.round(weights.vision)} + rotary cache ${weights.rotaryCache}${sf.loraBytes ? ` + LoRA slots ${sf.loraBytes}` : ""}${sf.drafterBytes ? ` + drafter ${sf.drafterBytes}` : ""}${sf.offloadedBytes ? ` − offloaded ${sf.offloadedBytes}` : ""}`, bytes: weights.total, source: "GPUModelRunner.load_model (\"Model loading took\"); parameter shapes per rank from the parallel linear classes; src/core/weights.ts" });
      for (const line of sf.explain) ex({ ...line, what: `${line.what}${st}` });
      ex({ what: `activation peak${st}`, formula: `max(encoder ${act.encoderPhaseBytes}, text ${act.textPhaseBytes}, sampler ${act.samplerPhaseBytes}) → ${act.phase}`, bytes: act.peakBytes, source: "GPUModelRunner.profile_run: encoder dummy batch, _dummy_run(max_num_batched_tokens), _dummy_sampler_run; src/core/profile-run.ts" });
      ex({ what: `non-torch increase${st}`, formula: `${nonTorch} B`, bytes: nonTorch, source: "vllm/utils/mem_utils.py memory_profiling non_torch_increase; median of logged values (src/core/non-torch.ts)" });
      ex(cudaGraphExplain(stageGraphs, cgBytes, graphShape, st));
      ex({ what: `KV cache${st}`, formula: flags.kvCacheMemoryBytes !== undefined ? "--kv-cache-memory" : `${requested} − ${weights.total} − ${act.peakBytes} − ${nonTorch} − ${cgInBudget}${kvBytesAvail < 0 ? ` = ${kvBytesAvail}: none, short by ${-kvBytesAvail} B` : ""}`, bytes: Math.max(0, kvBytesAvail), source: "Worker.determine_available_memory: requested − (weights + torch peak increase + non-torch increase [+ CUDA-graph estimate])" });
    }
  }

  // get_kv_cache_configs: every worker's num_blocks is set to the minimum across workers.
  let tight = stages[0] as StageResult;
  for (const st of stages) if (st.kv.numGpuBlocks < tight.kv.numGpuBlocks) tight = st;
  const kv = tight.kv;
  // Hybrid models raise the attention block size to cover a Mamba state page.
  engine.blockSize = kv.blockSize;
  if (opts.explain) {
  // The page of one layer of a group (whole bytes: block × the largest layer's bytes per token, or a
  // UniformTypeKVCacheSpecs sum), not a mean over the stage's layers, which counts Mamba / MLP-only layers.
  ex({ what: "KV page", formula: `${kv.blockSize} tokens × ${kv.pageSizeBytes / kv.blockSize} B/token/layer`, bytes: kv.pageSizeBytes, source: "vllm/v1/kv_cache_interface.py AttentionSpec.page_size_bytes = 2 · block · kv_heads · head_dim · dtype" });
  ex({ what: "GPU blocks", formula: `${tight.budget.kvCacheBytes} // ${kv.pageSizeBytes} // ${kv.groupSize}`, value: kv.numGpuBlocks, source: "vllm/v1/core/kv_cache_utils.py get_num_blocks" });
  ex({
    what: "KV tokens",
    formula: rules.tokensFromConcurrency ? `int(${kv.maxConcurrency.toFixed(4)} × ${maxModelLen})` : `${kv.numGpuBlocks} // ${kv.numGroups} × ${kv.blockSize}`,
    value: kv.tokens,
    source: rules.tokensFromConcurrency ? "kv_cache_utils.get_kv_cache_capacity (v0.21+): concurrency × max_model_len" : "kv_cache_utils._report_kv_cache_config \"GPU KV cache size\"",
  });
  ex({ what: "max concurrency", formula: `${kv.numGpuBlocks} / blocks per ${maxModelLen}-token request`, value: kv.maxConcurrency, source: "kv_cache_utils.get_max_concurrency_for_kv_cache_config" });
  }

  // --- Start-up verdicts, in the order vLLM would raise them.
  const first = stages[0]?.budget as GpuBudget;
  if (rules.startupFreeCheck && first.freeAtStartBytes < first.requestedBytes) {
    const maxUtil = Math.floor((first.freeAtStartBytes / first.totalBytes) * 100) / 100;
    // The context differs by driver and CUDA version: an error only if even the smallest known context fails.
    const certain = first.freeAtStartBytes + (CUDA_CONTEXT_BYTES - CUDA_CONTEXT_MIN_BYTES) < first.requestedBytes;
    diags.push({
      code: "FREE_MEMORY_BELOW_BUDGET",
      severity: certain ? "error" : "warning",
      args: { free: first.freeAtStartBytes, total: first.totalBytes, util, requested: first.requestedBytes },
      fix: [{ flag: "--gpu-memory-utilization", value: maxUtil.toFixed(2), flags: { gpuMemoryUtilization: maxUtil } }],
    });
  }
  if (flags.kvCacheMemoryBytes !== undefined) kvCacheMemoryChecks(stages, diags);
  if (tight.budget.kvCacheBytes <= 0 || kv.numGpuBlocks <= 0) {
    diags.push({ code: "NO_KV_CACHE_MEMORY", severity: "error", args: { available: tight.budget.kvCacheBytes, shortfall: tight.budget.kvShortfallBytes } });
  } else if (kv.bytesNeededForMaxModelLen > tight.budget.kvCacheBytes) {
    diags.push({
      code: "KV_CACHE_BELOW_MAX_MODEL_LEN",
      severity: "error",
      args: { maxModelLen, needed: kv.bytesNeededForMaxModelLen, available: tight.budget.kvCacheBytes, estimatedMaxModelLen: kv.estimatedMaxModelLen },
    });
  }
  if (tight.startupError && tight.kv.numGpuBlocks > 0) {
    diags.push({ code: "MAMBA_SLOTS_BELOW_MAX_NUM_SEQS", severity: "error", args: { message: tight.startupError, blocks: tight.kv.numGpuBlocks }, fix: [{ flag: "--max-num-seqs", value: String(tight.kv.numGpuBlocks), flags: { maxNumSeqs: tight.kv.numGpuBlocks } }] });
  }
  // With --kv-cache-memory too large, KV_CACHE_MEMORY_ABOVE_FREE already counts the graphs (its warm-up phase).
  if (graphsOn && !graphsInBudget && !diags.some((d) => d.code === "KV_CACHE_MEMORY_ABOVE_FREE")) {
    const slack = first.outsideBudgetBytes - first.cudaContextBytes - first.ncclBytes - first.otherProcessBytes;
    if (first.cudaGraphBytes > slack) diags.push({ code: "CUDA_GRAPHS_EXCEED_HEADROOM", severity: "warning", args: { graphs: first.cudaGraphBytes, slack: Math.max(0, slack) } });
  }
  if (graphs.inBudget && tight.budget.cudaGraphBytes > 0) {
    // What vLLM prints after "Available KV cache memory" from v0.21 (gpu_worker.py determine_available_memory),
    // plus the --kv-cache-memory that gives the KV cache of releases before the estimate.
    const eq = cudaGraphEquivalents(util, tight.budget.totalBytes, tight.budget.cudaGraphBytes, tight.budget.kvCacheBytes - tight.budget.kvShortfallBytes);
    // The utilization that would restore it, unclamped (eq.utilizationNeededForSameKv), against the most that
    // passes vLLM's start-up free-memory check (requested = utilization × total ≤ free; gpu_worker.py) — never
    // more than 1.0, which vLLM refuses (CacheConfig gpu_memory_utilization ≤ 1). Above it only --kv-cache-memory restores it.
    const maxStartUtil = Math.min(1, Math.floor((first.freeAtStartBytes / first.totalBytes) * 100) / 100);
    diags.push({ code: "CUDA_GRAPH_ESTIMATE_IN_BUDGET", severity: "info", args: { util, estimate: tight.budget.cudaGraphBytes, estimateLow: tight.cudaGraphRange[0], estimateHigh: tight.cudaGraphRange[1], without: eq.utilizationWithoutEstimate, sameKvUtil: eq.utilizationForSameKv, ...(eq.kvCacheMemoryForSameKv !== null ? { sameKvBytes: eq.kvCacheMemoryForSameKv } : {}), sameKvUtilNeeded: eq.utilizationNeededForSameKv, maxStartUtil } });
  }
  for (const what of model.unsupported) diags.push({ code: "NOT_EXACT", severity: "warning", args: { what } });
  diags.push(...fx.diagnostics);
  if (opts.explain) for (const line of fx.explain) ex(line);
  if (flags.vllmVersion !== undefined && beyondModeled(flags.vllmVersion)) {
    diags.push({ code: "VLLM_VERSION_NOT_MODELED", severity: "warning", args: { asked: flags.vllmVersion, modeled: NEWEST_MODELED } });
  }
  const mismatch = checkpointMismatch(model);
  if (mismatch) diags.push({ code: "CHECKPOINT_SIZE_MISMATCH", severity: "warning", args: mismatch });

  const plan: Plan = {
    fits: !diags.some((d) => d.severity === "error"),
    model: { id: model.id, architecture: model.architecture, params: model.params, dtype, quantization: quant.method },
    // Data-parallel replicas are whole copies of this per-rank plan: they multiply the GPUs, not the figures.
    gpu: { id: gpu.id, name: gpu.name, count: world * dp, tensorParallelSize: tp, pipelineParallelSize: pp, dataParallelSize: dp },
    engine,
    perGpu: stages.map((s) => s.budget),
    kvCache: kv,
    encoder,
    diagnostics: diags,
    explain,
    whatIf: [],
  };
  const host = hostMemoryPlan({
    rules,
    tp,
    pp,
    dp,
    flags,
    multimodal: model.vision !== null && flags.languageModelOnly !== true,
    stageWeightsBytes: stages.map((s) => s.budget.weightsBytes),
    cpuOffloadBytes: fx.host?.cpuOffloadBytes ?? 0,
  });
  plan.host = host.host;
  if (opts.explain) plan.explain.push(...host.explain);
  // Fixes and what-ifs are re-plans of this plan: core/levers.ts (planWithLevers).
  return plan;
}

/**
 * vLLM's slack in its own --kv-cache-memory suggestion (Worker.compile_or_warm_up_model:
 * redundancy_buffer_memory = 150 MiB, "memory profiling may slightly underestimate").
 */
export const KV_SUGGESTION_BUFFER_BYTES = 150 * 2 ** 20;

/**
 * --kv-cache-memory against the GPU. vLLM returns the flag's bytes unchecked (determine_available_memory),
 * then Worker.initialize_from_config allocates them (torch "CUDA out of memory" when they are not free
 * after the weights and the non-torch buffers), then captures CUDA graphs and runs the sampler warm-up
 * (compile_or_warm_up_model), which need room beside the cache. The fix is vLLM's own suggestion "to fully
 * utilize gpu memory": initial free − (weights + peak activation + non-torch + CUDA graphs) − 150 MiB.
 */
export function kvCacheMemorySuggestion(freeAtStart: number, weights: number, activationPeak: number, nonTorch: number, cudaGraphs: number): number {
  return Math.floor(freeAtStart - (weights + activationPeak + nonTorch + cudaGraphs) - KV_SUGGESTION_BUFFER_BYTES);
}

function kvCacheMemoryChecks(stages: StageResult[], diags: Diagnostic[]): void {
  let worst: { g: GpuBudget; phase: "allocation" | "warm-up"; needed: number; free: number; suggestion: number } | null = null;
  for (const st of stages) {
    const budget = st.budget;
    const free = budget.freeAtStartBytes - budget.weightsBytes - budget.nonTorchBytes;
    const warmup = budget.cudaGraphBytes + budget.samplerPeakBytes;
    const suggestion = kvCacheMemorySuggestion(budget.freeAtStartBytes, budget.weightsBytes, budget.activationPeakBytes, budget.nonTorchBytes, budget.cudaGraphBytes);
    const phase = budget.kvCacheBytes > free ? "allocation" : budget.kvCacheBytes + warmup > free ? "warm-up" : null;
    if (phase && (!worst || suggestion < worst.suggestion)) worst = { g: budget, phase, needed: phase === "allocation" ? budget.kvCacheBytes : budget.kvCacheBytes + warmup, free, suggestion };
  }
  if (!worst) return;
  diags.push({
    code: "KV_CACHE_MEMORY_ABOVE_FREE",
    severity: "error",
    args: { phase: worst.phase, kv: worst.g.kvCacheBytes, needed: worst.needed, free: worst.free, graphs: worst.g.cudaGraphBytes, sampler: worst.g.samplerPeakBytes },
    fix: worst.suggestion > 0 ? [{ flag: "--kv-cache-memory", value: String(worst.suggestion), flags: { kvCacheMemoryBytes: worst.suggestion } }] : [],
  });
}

const ccCache = new Map<string, number>();
function computeCapability(capability: string): number {
  let cc = ccCache.get(capability);
  if (cc === undefined) ccCache.set(capability, (cc = Number.parseFloat(capability) || 8));
  return cc;
}

interface ModelFacts {
  dense: boolean;
  moeLayer: boolean[];
  textOnly: ModelArch | null;
  encoder: Map<string, ReturnType<typeof encoderProfile>>;
  encoderByLen: Map<number, Map<number, ReturnType<typeof encoderProfile>>>;
  mismatch?: { checkpoint: number; architecture: number } | null;
}
const factsCache = new WeakMap<ModelArch, ModelFacts>();
/** Per-architecture facts computed once (sweeps plan the same model many times). */
function facts(model: ModelArch): ModelFacts {
  let cached = factsCache.get(model);
  if (!cached) {
    const denseLayers = new Set(model.moe?.denseLayers ?? []);
    cached = {
      dense: model.moe === null && !model.layers.some((l) => l.kind === "linear" || l.kind === "mamba"),
      moeLayer: model.layers.map((_, i) => model.moe !== null && !denseLayers.has(i)),
      textOnly: null,
      encoder: new Map(),
      encoderByLen: new Map(),
    };
    factsCache.set(model, cached);
  }
  return cached;
}
/** The model without its vision tower (all multimodal limits 0), one object per model. */
function textOnly(model: ModelArch): ModelArch {
  const modelFacts = facts(model);
  if (!modelFacts.textOnly) modelFacts.textOnly = { ...model, vision: null };
  return modelFacts.textOnly;
}
function rankList(stage: number, tp: number): number[] {
  const ranks = new Array<number>(tp);
  for (let i = 0; i < tp; i++) ranks[i] = stage * tp + i;
  return ranks;
}

function cachedEncoderProfile(encoder: Parameters<typeof encoderProfile>[0]): ReturnType<typeof encoderProfile> {
  const modelFacts = facts(encoder.model);
  // Exact two-level numeric key in the common case (no limits or processor kwargs, one GPU
  // tower): max_model_len, then max_num_seqs · 2^24 + max_num_batched_tokens. Otherwise a string key.
  const plain =
    encoder.kwargs === undefined && encoder.limits["image"] === undefined && encoder.limits["video"] === undefined && encoder.tp === 1 &&
    !encoder.encoderDataParallel && !encoder.skipMmProfiling && encoder.maxNumBatchedTokens < 2 ** 24 && encoder.maxNumSeqs < 2 ** 24;
  if (plain) {
    let inner = modelFacts.encoderByLen.get(encoder.maxModelLen);
    if (!inner) modelFacts.encoderByLen.set(encoder.maxModelLen, (inner = new Map()));
    const key = encoder.maxNumSeqs * 2 ** 24 + encoder.maxNumBatchedTokens;
    let cached = inner.get(key);
    if (cached === undefined) inner.set(key, (cached = encoderProfile(encoder)));
    return cached;
  }
  const key = `${encoder.maxModelLen}/${encoder.maxNumSeqs}/${encoder.maxNumBatchedTokens}/${encoder.limits["image"]}/${encoder.limits["video"]}/${encoder.kwargs?.max_pixels}/${encoder.kwargs?.min_pixels}/${encoder.tp}/${encoder.encoderDataParallel}/${encoder.skipMmProfiling}`;
  let profile = modelFacts.encoder.get(key);
  if (profile === undefined) {
    profile = encoderProfile(encoder);
    if (modelFacts.encoder.size > 10_000) modelFacts.encoder.clear();
    modelFacts.encoder.set(key, profile);
  }
  return profile;
}

/**
 * The checkpoint's bytes (safetensors headers) against what the architecture says one unsharded copy
 * holds in the checkpoint's own dtype and quantization (weightsPerRank at TP 1, less the rotary
 * buffer, which is not stored). More than 1 % apart means the layout missed something.
 */
function checkpointMismatch(model: ModelArch): { checkpoint: number; architecture: number } | null {
  const modelFacts = facts(model);
  if (modelFacts.mismatch !== undefined) return modelFacts.mismatch;
  modelFacts.mismatch = null;
  if (model.checkpointBytes && model.checkpointBytes > 0) {
    const stored = weightsPerRank(model, { tp: 1, ep: 1, visionReplicated: false, cc: 8, asStored: true }, 1, 0, model.dtype, model.quant);
    const arch = stored.total - stored.rotaryCache;
    if (Math.abs(arch - model.checkpointBytes) > 0.01 * model.checkpointBytes) modelFacts.mismatch = { checkpoint: model.checkpointBytes, architecture: arch };
  }
  return modelFacts.mismatch;
}

const sliceCache = new WeakMap<ModelArch, Map<number | string, ModelArch["layers"]>>();
/** The layers of one pipeline stage, as a stable array (kvLayout memoizes on it). */
function stageLayers(model: ModelArch, start: number, end: number): ModelArch["layers"] {
  if (start === 0 && end === model.layers.length) return model.layers;
  let byKey = sliceCache.get(model);
  if (!byKey) sliceCache.set(model, (byKey = new Map()));
  const key = end < 1_048_576 ? start * 1_048_576 + end : `${start}/${end}`;
  let sliced = byKey.get(key);
  if (!sliced) byKey.set(key, (sliced = model.layers.slice(start, end)));
  return sliced;
}

function divisorFix(count: number, tp: number, perTpRank = 1): Diagnostic["fix"] {
  const options: number[] = [];
  for (let t = 1; t <= 16; t *= 2) if (count % t === 0 && t !== tp) options.push(t);
  const below = options.filter((t) => t < tp).pop();
  const above = options.find((t) => t > tp);
  const out: NonNullable<Diagnostic["fix"]> = [];
  if (below) out.push({ flag: "--tensor-parallel-size", value: String(below), flags: { tensorParallelSize: below } });
  // More GPUs than asked for say so, as every other extra-GPU fix does (-tp 3 → -tp 4: "needs 4 GPUs").
  if (above) out.push({ flag: "--tensor-parallel-size", value: String(above), note: `needs ${above * perTpRank} GPUs`, flags: { tensorParallelSize: above } });
  return out;
}

/** The activation peak with the memory features' extra bytes (LoRA shrink buffers, the rejection-sampler warm-up). */
function withFeatureActivation(activation: ReturnType<typeof activationPeak>, textExtra: number, samplerExtra: number): ReturnType<typeof activationPeak> {
  if (textExtra === 0 && samplerExtra === 0) return activation;
  const text = activation.textPhaseBytes + textExtra;
  const sampler = activation.samplerPhaseBytes + samplerExtra;
  // The peak is the largest phase, as profile-run.ts activationPeak picks it.
  const peak = Math.round(Math.max(activation.encoderPhaseBytes, text, sampler));
  const phase: typeof activation.phase = peak === Math.round(activation.encoderPhaseBytes) && activation.encoderPhaseBytes > 0 ? "encoder" : peak === Math.round(sampler) ? "sampler" : "text";
  return { ...activation, textPhaseBytes: text, samplerPhaseBytes: sampler, peakBytes: peak, phase };
}

/**
 * --max-model-len auto / -1 (vllm/v1/core/kv_cache_utils.py _auto_fit_max_model_len, PR #29431):
 * vLLM profiles with the config's max_model_len; if one request of that length fits the KV cache it
 * keeps it, else it takes the largest length that fits (estimate_max_model_len, the binary search of
 * the "estimated maximum model length" error), the minimum over workers, and carries on with it.
 */
function planAutoMaxModelLen(input: PlanInput, opts: PlanOptions): Plan {
  const rules = rulesOrNewest(input.flags.vllmVersion);
  const flags: EngineFlags = { ...input.flags, maxModelLenAuto: false };
  delete flags.maxModelLen;
  const full = planDeployment({ ...input, flags }, opts);
  if (!rules.features.maxModelLenAuto) {
    full.diagnostics.push({ code: "NOT_EXACT", severity: "warning", args: { what: `--max-model-len auto in vLLM ${rules.version} (added in 0.${MAX_MODEL_LEN_AUTO.sinceMinor}, ${MAX_MODEL_LEN_AUTO.source}: this release rejects it; planned with the config's length)` } });
    return full;
  }
  const derived = full.engine.maxModelLen;
  const short = full.diagnostics.some((d) => d.code === "KV_CACHE_BELOW_MAX_MODEL_LEN");
  const fitted = short ? full.kvCache.estimatedMaxModelLen : derived;
  const line: ExplainLine = {
    what: "max-model-len auto",
    formula: short ? `${derived} does not fit; largest length that fits = ${fitted}` : `${derived} (the config's length fits)`,
    value: fitted,
    source: "vllm/v1/core/kv_cache_utils.py _auto_fit_max_model_len / estimate_max_model_len (PR #29431)",
  };
  if (!short || fitted <= 0) {
    if (opts.explain) full.explain.push(line);
    return full;
  }
  const fittedPlan = planDeployment({ ...input, flags: { ...flags, maxModelLen: fitted } }, { ...opts, profileMaxModelLen: derived });
  if (opts.explain) fittedPlan.explain.push(line);
  return fittedPlan;
}
