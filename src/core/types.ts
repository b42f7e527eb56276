// Core types: plain data in, one Plan out. Every byte count is an integer number of bytes.

export type TorchDtype = "bfloat16" | "float16" | "float32";

/** How a checkpoint stores its linear-layer weights (see weights.ts for bytes per parameter). */
export type QuantMethod =
  | "none"
  | "fp8" // serialized fp8 (per-tensor or block scales) or online --quantization fp8
  | "awq"
  | "gptq"
  | "bitsandbytes"
  | "compressed-tensors"
  | "mxfp4"
  | "nvfp4";

export interface QuantSpec {
  method: QuantMethod;
  /** Bits of a quantized weight element (4, 8). */
  bits: number;
  /** Group size for group-wise scales; -1 = one group per row/column. */
  groupSize: number;
  /** fp8 block size [out, in] when block-quantized. */
  blockSize?: [number, number];
  /** Whether the checkpoint already stores quantized tensors (false: vLLM quantizes at load time). */
  serialized: boolean;
  /** Whether the config says the lm_head is quantized too (GPTQ `lm_head: true`). */
  lmHeadQuantized: boolean;
  /** Module-name fragments kept in 16 bit (modules_to_not_convert, ignore, exclude_modules). */
  skipModules: string[];
  /** GPTQ act-order (desc_act). */
  descAct: boolean;
  /** The checkpoint's KV-cache quantization, when it declares one (ModelOpt kv_cache_quant_algo). */
  kvCacheFp8: boolean;
}

export type LayerAttention =
  | { kind: "full"; kvHeads?: number; headDim?: number } // this layer's own KV head count (Nemotron-NAS block_configs) / head size (Gemma 4 global_head_dim)
  | { kind: "sliding"; window: number }
  | { kind: "linear" } // Gated DeltaNet / linear attention: state slots, not paged KV
  | { kind: "mamba" }
  | { kind: "none" }; // MLP/MoE-only layer of a hybrid pattern (Nemotron-H "-"/"E"): no KV

export interface MlaSpec {
  kvLoraRank: number;
  qkRopeHeadDim: number;
  qkNopeHeadDim: number;
  vHeadDim: number;
  qLoraRank: number | null;
}

export interface MoeSpec {
  numExperts: number;
  topK: number;
  moeIntermediateSize: number;
  sharedExperts: number;
  sharedIntermediateSize: number;
  /** Layers that stay dense (first_k_dense_replace, mlp_only_layers). */
  denseLayers: number[];
  /** Router bias / expert biases (gpt-oss). */
  expertBias: boolean;
  /** Latent MoE (Nemotron-3 Super moe_latent_size): experts run in this width, with a down/up projection. */
  latentSize: number | null;
}

export interface VisionSpec {
  /**
   * The vision family's id (its `id` in core/vision/<family>.ts, listed in core/vision/registry.ts), or
   * "other": a tower vram-plan has no rules for. A string, so a new family is its own file and one line.
   */
  family: string;
  depth: number;
  hiddenSize: number;
  intermediateSize: number;
  numHeads: number;
  patchSize: number;
  temporalPatchSize: number;
  spatialMergeSize: number;
  inChannels: number;
  outHiddenSize: number;
  /** Qwen2.5-VL window attention. */
  windowSize: number;
  fullAttBlockIndexes: number[];
  /** Qwen2-VL uses fc1/fc2 (GELU) rather than gate/up/down. */
  gatedMlp: boolean;
  /** Image processor limits (pixels), from preprocessor_config.json or the processor's defaults. */
  minPixels: number;
  maxPixels: number;
  /** Parameters of the tower (computed from the architecture). */
  params: number;
  /** Qwen3-VL deepstack mergers (deepstack_visual_indexes): the output is (1 + n) × out_hidden wide. */
  deepstack: number;
  /** Learned position embeddings (Qwen3-VL num_position_embeddings, SigLIP (image_size/patch)²). */
  positionEmbeddings: number;
  /** Gemma 3 / SigLIP: fixed tokens per image (mm_tokens_per_image) and the crop size in pixels. */
  tokensPerImage: number;
  imageSize: number;
  /** Video processor's total pixel cap (Qwen3-VL video_preprocessor_config size.longest_edge). */
  videoMaxPixels: number;
  /** Video processor's total pixel floor (Qwen3-VL video_preprocessor_config size.shortest_edge). */
  videoMinPixels: number;
  /**
   * Tiled families (MiniCPM-V slices, InternVL dynamic tiles): the most slices / tiles per image the
   * processor makes (MiniCPM-V max_slice_nums, InternVL max_dynamic_patch; 1 without dynamic tiling).
   */
  maxSlices: number;
  /** MiniCPM-V: slices vLLM's dummy image is tall (hf_config max_slice_num, default 9). */
  dummySlices: number;
  /** InternVL: a thumbnail tile is added when an image has more than one tile (use_thumbnail). */
  thumbnail: boolean;
  /** Whether vLLM registers a video modality for this checkpoint (MiniCPM-V ≥ 2.6, InternVL with a Qwen/GPT-OSS LLM). */
  video: boolean;
  /** InternViT: qkv bias, per-head q/k RMSNorm (qk_normalization), RMSNorm rather than LayerNorm (norm_type). */
  qkvBias: boolean;
  qkNorm: boolean;
  rmsNorm: boolean;
  /** InternVL pixel-shuffle downsample_ratio (mlp1 input is hidden / ratio²). */
  downsampleRatio: number;
}

/** A model's architecture as vram-plan needs it, normalized from a Hugging Face config.json. */
export interface ModelArch {
  id: string;
  architecture: string;
  modelType: string;
  dtype: TorchDtype;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  tieWordEmbeddings: boolean;
  /** qkv projection bias (Qwen2 family). */
  qkvBias: boolean;
  /** Per-head q/k RMSNorm (Qwen3). */
  qkNorm: boolean;
  /** Gated MLP (gate_up + down, SiLU-and-mul); false for ReLU² up/down MLPs (Nemotron-H). */
  mlpGated: boolean;
  /** Mamba-2 mixer shape (Nemotron-H "M" layers), when present. */
  mamba: { numHeads: number; headDim: number; nGroups: number; stateSize: number; convKernel: number } | null;
  /** Nemotron-H: each layer is one block type ("*" attention, "M" Mamba, "-" MLP, "E" MoE). */
  blockPattern: string | null;
  /** Rotary cos/sin cache rows vLLM allocates (all rope configs together). */
  ropeCachePositions: number;
  /** Rotary dimension (head_dim × partial_rotary_factor). */
  rotaryDim: number;
  /** Multimodal rotary embedding (rope_scaling mrope_section): vLLM caches 4 × max positions. */
  mrope: boolean;
  /** max_position_embeddings as in the config (the rotary cache length). */
  maxPositionEmbeddings: number;
  /** vLLM's derived max_model_len (config keys × rope scaling; see architecture.ts). */
  derivedMaxModelLen: number;
  layers: LayerAttention[];
  mla: MlaSpec | null;
  moe: MoeSpec | null;
  vision: VisionSpec | null;
  quant: QuantSpec;
  /** Total parameters from the architecture (LM + vision). */
  params: number;
  /** Checkpoint bytes from safetensors headers, when known. */
  checkpointBytes: number | null;
  /** What vram-plan could not size exactly (surfaced as diagnostics). */
  unsupported: string[];
  /**
   * Nemotron-NAS (DeciLM) block_configs, one entry per decoder layer: the layer's KV heads (null: no-op
   * attention, no KV cache) and FFN intermediate size (null: no-op FFN). Absent for uniform models.
   */
  nasBlocks?: NasBlock[] | null;
  /** Hybrid attention + Mamba / Gated DeltaNet facts (hybrid-kv.ts), null for other models. */
  hybrid: import("./hybrid-kv.js").HybridConfigFacts | null;
  /**
   * Multi-token-prediction layers the checkpoint ships (config num_nextn_predict_layers, DeepSeek-style
   * modules with their own shared_head; or mtp_num_hidden_layers, Qwen3-Next/3.5-style sharing the
   * lm_head), used by --speculative-config method "mtp". Absent: none.
   */
  mtp?: { layers: number; ownLmHead: boolean; /** Nemotron-H mtp_hybrid_override_pattern: the block types of one MTP layer. */ pattern?: string };
  /** draft_vocab_size of an EAGLE-3 head's config (its lm_head's rows; vLLM defaults it to vocab_size). */
  draftVocabSize?: number;
}

export interface NasBlock {
  kvHeads: number | null;
  intermediateSize: number | null;
}

export interface GpuProfile {
  id: string;
  name: string;
  /** cudaMemGetInfo total, what vLLM multiplies by --gpu-memory-utilization. */
  cudaTotalBytes: number;
  computeCapability: string;
  /**
   * An AMD GPU's gfx target (ROCm), e.g. gfx942; computeCapability then holds the major.minor torch
   * reports for it (9.4 for gfx942), which vLLM's ROCm platform compares, not an NVIDIA compute capability.
   */
  rocmArch?: string;
  /** Streaming multiprocessors (sizes the Triton sampler scratch); datasheet. */
  smCount: number;
  source: string;
  /** Memory other processes hold on this GPU at start-up, as detected (--gpu auto); --other-process-memory overrides it. */
  otherProcessBytes?: number;
}

/** Every --kv-cache-dtype value vLLM accepts (kv-dtypes.ts KV_CACHE_DTYPES, the one list). */
export type { KvCacheDtype } from "./kv-dtypes.js";
import type { KvCacheDtype } from "./kv-dtypes.js";
export type UsageContext = "server" | "offline";

/** vLLM engine flags as the user gives them; undefined = vLLM's default for the version. */
export interface EngineFlags {
  tensorParallelSize: number;
  pipelineParallelSize: number;
  gpuMemoryUtilization?: number;
  maxModelLen?: number;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  dtype?: TorchDtype;
  kvCacheDtype: KvCacheDtype;
  blockSize?: number;
  enforceEager: boolean;
  kvCacheMemoryBytes?: number;
  limitMmPerPrompt?: Record<string, number>;
  mmProcessorKwargs?: { max_pixels?: number; min_pixels?: number };
  quantization?: QuantMethod;
  vllmVersion?: string;
  usageContext: UsageContext;
  /** Memory already used on each GPU by other processes at start-up. */
  otherProcessBytes: number;
  enableExpertParallel: boolean;
  dataParallelSize: number;
  /** --mm-encoder-tp-mode data: replicate the vision tower and split items over ranks. */
  mmEncoderTpMode: "weights" | "data";
  skipMmProfiling: boolean;
  disableHybridKvCacheManager: boolean;
  // Memory features of issue #11. Parsed by the argument table (cli/sources), modeled by the core;
  // optional so a plan without them is unchanged.
  /** --speculative-config (JSON or dotted), as vLLM's SpeculativeConfig fields. */
  speculative?: SpeculativeFlags;
  /** --enable-lora and its companions (vllm/config/lora.py LoRAConfig). */
  lora?: LoraFlags;
  /** --cpu-offload-gb, in bytes per GPU. */
  cpuOffloadBytes?: number;
  /** --kv-offloading-size (GiB in vLLM), in bytes, and --kv-offloading-backend. */
  kvOffloadingBytes?: number;
  kvOffloadingBackend?: string;
  /** --max-model-len auto / -1: the largest length that fits (vLLM's auto-fit). */
  maxModelLenAuto?: boolean;
  /** --mamba-ssm-cache-dtype. */
  mambaSsmCacheDtype?: string;
  /** --compilation-config / --max-cudagraph-capture-size: explicit capture sizes, cudagraph mode. */
  compilation?: CompilationFlags;
  enableSleepMode?: boolean;
  /** --language-model-only: the multimodal encoder is not loaded or profiled. */
  languageModelOnly?: boolean;
  /** vram-plan's record of flags accepted without a memory model: a NOT_EXACT warning names each. */
  notModeledFlags?: string[];
  // Host memory only (issue #15.3): no effect on the GPU budget.
  /** --mm-processor-cache-gb, in bytes (vLLM's default: 4 GiB). */
  mmProcessorCacheBytes?: number;
  /** --mm-processor-cache-type lru (default) or shm. */
  mmProcessorCacheType?: string;
  /** --api-server-count (default 1). */
  apiServerCount?: number;
  /** --safetensors-load-strategy lazy (default), eager, ... */
  safetensorsLoadStrategy?: string;
}

export interface SpeculativeFlags {
  /** ngram, suffix, eagle, eagle3, medusa, mtp, draft_model, deepseek_mtp, ... as vLLM names them. */
  method?: string;
  /** Draft model id or path (resolved to `draftModel` by the front-end when it has weights). */
  model?: string;
  numSpeculativeTokens?: number;
  draftTensorParallelSize?: number;
  /** The draft's architecture when it has its own weights (EAGLE heads, draft models). */
  draftModel?: ModelArch;
  /** Other keys as given, for the explain lines. */
  raw?: Record<string, unknown>;
  /** draft_vocab_size of an EAGLE-3 head's config.json (its own, smaller lm_head), when the front-end read it. */
  draftVocabSize?: number;
}

export interface LoraFlags {
  maxLoras: number;
  maxLoraRank: number;
  maxCpuLoras?: number;
  fullyShardedLoras: boolean;
  loraDtype?: TorchDtype | "auto";
  /** Number of --lora-modules given (informational). */
  modules?: number;
}

export interface CompilationFlags {
  cudagraphCaptureSizes?: number[];
  maxCudagraphCaptureSize?: number;
  /** NONE, PIECEWISE, FULL, FULL_DECODE_ONLY, FULL_AND_PIECEWISE. */
  cudagraphMode?: string;
  /** -O level / "level"/"mode" as given. */
  level?: number;
}

export interface PlanInput {
  model: ModelArch;
  gpu: GpuProfile;
  flags: EngineFlags;
}

export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** Values the message table formats; bytes stay integers. */
  args: Record<string, number | string>;
  /**
   * Changes that would fix it, cheapest first, each verified by re-planning (core/levers.ts): one
   * flag, plus `with` when the flag alone clears this error but another lever is needed to start.
   * `flags`: the engine flags the entry sets, as data (what core/levers.ts re-plans with, so the shown
   * value is never parsed back); an entry without them is not verified and not kept by the levers.
   * Renderers show `flag value` and leave `flags` out of the JSON.
   */
  fix?: { flag: string; value: string; note?: string; with?: { flag: string; value: string }[]; flags?: Partial<EngineFlags> }[];
}

export type DiagnosticCode =
  | "FREE_MEMORY_BELOW_BUDGET"
  | "NO_KV_CACHE_MEMORY"
  | "KV_CACHE_BELOW_MAX_MODEL_LEN"
  | "HEADS_NOT_DIVISIBLE_BY_TP"
  | "MAMBA_DIM_NOT_DIVISIBLE_BY_TP"
  | "KV_HEADS_NOT_DIVISIBLE"
  | "MAX_MODEL_LEN_ABOVE_DERIVED"
  | "LAYERS_FEWER_THAN_PP"
  | "MAX_NUM_SEQS_ABOVE_BATCHED_TOKENS"
  | "CUDA_GRAPHS_EXCEED_HEADROOM"
  | "BF16_UNSUPPORTED"
  /** --kv-cache-dtype that vLLM cannot use on this GPU or model (kv-dtypes.ts kvDtypeProblem). */
  | "KV_CACHE_DTYPE_UNSUPPORTED"
  | "MAMBA_SLOTS_BELOW_MAX_NUM_SEQS"
  | "CHECKPOINT_SIZE_MISMATCH"
  | "QUANTIZATION_NEEDS_CHECKPOINT"
  | "QUANTIZATION_UNSUPPORTED_GPU"
  | "NOT_EXACT"
  | "MAX_CPU_LORAS_BELOW_MAX_LORAS"
  | "VLLM_VERSION_NOT_MODELED"
  | "KV_CACHE_MEMORY_ABOVE_FREE"
  | "CUDA_GRAPH_ESTIMATE_IN_BUDGET"
  /** A CUDA allocation failed (torch.OutOfMemoryError) — read from logs; the planner predicts the causes above instead. */
  | "CUDA_OUT_OF_MEMORY";

/** One line of the arithmetic, with where the number comes from. */
export interface ExplainLine {
  what: string;
  formula: string;
  bytes?: number;
  value?: number;
  source: string;
}

export interface ResolvedEngine {
  vllmVersion: string;
  engine: "v0" | "v1";
  gpuMemoryUtilization: number;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  blockSize: number;
  dtype: TorchDtype;
  kvCacheDtype: KvCacheDtype;
  /** Bytes of one element of the KV cache tensor's torch dtype (whole bytes: 1 for the packed 4-bit and TurboQuant uint8 caches; kv-dtypes.ts KvFormat.storageBytes). */
  kvBytesPerElement: number;
  cudaGraphs: boolean;
  cudaGraphEstimateSubtracted: boolean;
  cudaGraphCaptureSizes: number;
  maxCaptureSize: number;
  chunkedPrefill: boolean;
}

export interface EncoderProfile {
  modality: "image" | "video";
  tokensPerItem: number;
  patchesPerItem: number;
  itemWidth: number;
  itemHeight: number;
  items: number;
  budgetTokens: number;
  peakBytes: number;
  outputBytes: number;
}

export interface GpuBudget {
  /** Pipeline stage; every TP rank of a stage has the same budget. */
  ppStage: number;
  /** Global ranks this entry describes (tp ranks of the stage). */
  ranks: number[];
  layers: number;
  totalBytes: number;
  requestedBytes: number;
  freeAtStartBytes: number;
  cudaContextBytes: number;
  weightsBytes: number;
  activationPeakBytes: number;
  /** Which phase of the profile run sets the peak. */
  activationPhase: "encoder" | "text" | "sampler";
  encoderPeakBytes: number;
  samplerPeakBytes: number;
  textPeakBytes: number;
  /** NCCL / custom all-reduce buffers (outside vLLM's accounting since v0.11). */
  ncclBytes: number;
  /** Memory used by other processes at start-up (--other-process-memory). */
  otherProcessBytes: number;
  nonTorchBytes: number;
  cudaGraphBytes: number;
  /** Whether cudaGraphBytes is taken out of the KV budget (v0.21+) or out of the slack. */
  cudaGraphInBudget: boolean;
  /** Bytes left for the KV cache, never negative: 0 when the rest of the budget already exceeds it. */
  kvCacheBytes: number;
  /**
   * By how much weights + activation peak + non-torch (+ CUDA graphs) exceed the budget: 0 when
   * there is room for KV; positive with vLLM's "No available memory for the cache blocks".
   */
  kvShortfallBytes: number;
  /**
   * What vLLM's accounting takes: requestedBytes (total × utilization) normally; with --kv-cache-memory,
   * which skips the utilization budget, the sum of its parts (weights + activation peak + non-torch + KV).
   */
  budgetBytes: number;
  /** --kv-cache-memory set: the KV cache is the flag's bytes, not the rest of the budget. */
  kvCacheMemoryFixed: boolean;
  /** total - budget: what vLLM leaves for the CUDA context, NCCL and (before v0.21) CUDA graphs. */
  outsideBudgetBytes: number;
  /** What the card shows as used once vLLM is up: requested + context + NCCL + graphs outside the budget. */
  expectedUsedBytes: number;
}

export interface KvCachePlan {
  bytesPerToken: number;
  pageSizeBytes: number;
  blockSize: number;
  numGroups: number;
  groupSize: number;
  numGpuBlocks: number;
  tokens: number;
  maxConcurrency: number;
  bytesNeededForMaxModelLen: number;
  estimatedMaxModelLen: number;
}

/** One lever tried by re-planning with changed flags (vision models' "what if" block). */
export interface WhatIf {
  code: "ONE_IMAGE_NO_VIDEO" | "ONE_IMAGE" | "SMALLER_MAX_PIXELS" | "HALF_BATCHED_TOKENS" | "TEXT_ONLY";
  flags: { flag: string; value: string }[];
  fits: boolean;
  activationPeakBytes: number;
  kvCacheBytes: number;
  kvTokens: number;
  maxConcurrency: number;
  /** KV cache bytes gained per GPU against the plan as given (negative: lost). */
  kvGainBytes: number;
}

export interface Plan {
  fits: boolean;
  model: { id: string; architecture: string; params: number; dtype: TorchDtype; quantization: QuantMethod };
  /** count = TP × PP × DP GPUs; every per-GPU figure is one rank's (DP replicas are identical). */
  gpu: { id: string; name: string; count: number; tensorParallelSize: number; pipelineParallelSize: number; dataParallelSize: number };
  engine: ResolvedEngine;
  perGpu: GpuBudget[];
  kvCache: KvCachePlan;
  encoder: EncoderProfile | null;
  diagnostics: Diagnostic[];
  explain: ExplainLine[];
  /** Levers re-planned for vision models (empty unless asked for). */
  whatIf: WhatIf[];
  /** Host (CPU) memory and /dev/shm the deployment needs (core/host-memory.ts). */
  host?: HostMemory;
}

/** Host memory of a deployment, summed over its GPUs' processes. */
export interface HostMemory {
  /** Weights moved to pinned host memory by --cpu-offload-gb (per GPU × GPUs). */
  cpuOffloadBytes: number;
  /** The --kv-offloading-size buffer (summed over the TP ranks, as vLLM defines it). */
  kvOffloadingBytes: number;
  /** cpuOffloadBytes + kvOffloadingBytes (what the two flags ask for). */
  totalBytes: number;
  /**
   * Resident host memory of every process vLLM starts, /dev/shm included (tmpfs pages are charged to
   * the container's memory cgroup): what a container's memory limit must hold.
   */
  memoryBytes: number;
  /** /dev/shm the deployment maps (message queues of TP/PP > 1, shared KV offload pool, shm caches). */
  shmBytes: number;
  /** Processes vLLM starts: API servers, engine cores, one worker per GPU when TP × PP > 1. */
  processes: number;
  /** Each part of memoryBytes; `shm` parts are also in shmBytes; `estimate` parts are measured figures, not vLLM's own sizes. */
  parts: HostPart[];
}

export interface HostPart {
  what: "processes" | "mm-cache" | "cpu-offload" | "kv-offload" | "sleep-weights" | "message-queues";
  bytes: number;
  shm: boolean;
  estimate: boolean;
}

/** A process nvidia-smi lists on a GPU (sources/nvidia-smi.ts reads them). */
export interface ComputeApp {
  pid: number;
  name: string;
  usedBytes: number;
}

/** A GPU as nvidia-smi reports it (sources/nvidia-smi.ts), listed by `vram-plan gpus --detect` (render/catalog.ts). */
export interface DetectedGpu {
  /** nvidia-smi's index (PCI order), as CUDA_VISIBLE_DEVICES numbers them with CUDA_DEVICE_ORDER=PCI_BUS_ID. */
  index: number;
  uuid: string;
  name: string;
  totalBytes: number;
  /** memory.reserved (driver/ECC/firmware), absent on old drivers. */
  reservedBytes: number | null;
  /** memory.total - memory.reserved: what cudaMemGetInfo reports as total. */
  cudaTotalBytes: number;
  usedBytes: number;
  migEnabled: boolean;
  computeCapability: string | null;
  apps: ComputeApp[];
}
