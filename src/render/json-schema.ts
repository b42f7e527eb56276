// The shape of `vram-plan plan --json` (and of the plan inside check/compare JSON), as a zod schema
// and the JSON Schema (draft 2020-12) generated from it. `vram-plan schema` prints it; the package
// exports it as `vram-plan/schema.json`; test/schema.test.ts validates real plans against it.
// A field added to the Plan (src/core/types.ts) is added here too: the objects are strict, so the
// test names the field that is missing.
// zod is imported only by this module (the schema command and the tests), never on the plan path.
import * as z from "zod";

const bytes = () => z.int().describe("bytes (an integer)");
const nonNegativeBytes = () => z.int().min(0).describe("bytes (an integer)");
const count = () => z.int().min(0);
const flagValue = z.strictObject({ flag: z.string().describe("a vllm serve flag, e.g. --max-model-len"), value: z.string() });

const diagnostic = z.strictObject({
  code: z.string().regex(/^[A-Z0-9_]+$/).describe("stable code, e.g. KV_CACHE_BELOW_MAX_MODEL_LEN; match on this, not on the message"),
  severity: z.enum(["error", "warning", "info"]),
  message: z.string().describe("the sentence for people (vLLM's own wording where vLLM prints one)"),
  args: z.record(z.string(), z.union([z.number(), z.string()])).describe("the values the message formats; bytes are integers"),
  fix: z
    .array(z.strictObject({ flag: z.string(), value: z.string(), note: z.string().optional(), with: z.array(flagValue).optional() }))
    .describe("flag changes that make it start, cheapest first, each verified by re-planning"),
});

const gpuBudget = z.strictObject({
  ppStage: count(),
  ranks: z.array(count()),
  layers: count(),
  totalBytes: nonNegativeBytes(),
  requestedBytes: nonNegativeBytes(),
  freeAtStartBytes: bytes(),
  cudaContextBytes: nonNegativeBytes(),
  weightsBytes: nonNegativeBytes(),
  activationPeakBytes: nonNegativeBytes(),
  activationPhase: z.enum(["encoder", "text", "sampler"]),
  encoderPeakBytes: nonNegativeBytes(),
  samplerPeakBytes: nonNegativeBytes(),
  textPeakBytes: nonNegativeBytes(),
  ncclBytes: nonNegativeBytes(),
  otherProcessBytes: nonNegativeBytes(),
  nonTorchBytes: nonNegativeBytes(),
  cudaGraphBytes: nonNegativeBytes(),
  cudaGraphInBudget: z.boolean(),
  kvCacheBytes: nonNegativeBytes().describe("bytes left for the KV cache (an integer, never negative: 0 when there is no room)"),
  kvShortfallBytes: nonNegativeBytes().describe("by how much weights + activation peak + non-torch (+ CUDA graphs) exceed the budget; 0 when there is room for KV"),
  budgetBytes: nonNegativeBytes(),
  kvCacheMemoryFixed: z.boolean(),
  outsideBudgetBytes: bytes(),
  expectedUsedBytes: nonNegativeBytes().describe("what nvidia-smi would show once started; above totalBytes when start-up fails allocating (e.g. KV_CACHE_MEMORY_ABOVE_FREE), where the table, markdown and HTML print \"– (out of memory)\""),
});

/** The JSON of one plan. */
export const planJson = z
  .strictObject({
    fits: z.boolean().describe("whether vLLM starts (the plan command exits 0 exactly when true)"),
    model: z.strictObject({ id: z.string(), architecture: z.string(), params: count(), dtype: z.string(), quantization: z.string() }),
    gpu: z.strictObject({
      id: z.string(),
      name: z.string(),
      count: z.int().min(1).describe("GPUs the deployment uses: tensor × pipeline × data parallel (per-GPU figures are one rank's)"),
      tensorParallelSize: z.int().min(1),
      pipelineParallelSize: z.int().min(1),
      dataParallelSize: z.int().min(1).describe("data-parallel replicas (-dp): identical copies of the per-GPU plan"),
    }),
    engine: z.strictObject({
      vllmVersion: z.string(),
      engine: z.enum(["v0", "v1"]),
      gpuMemoryUtilization: z.number().gt(0).lte(1),
      maxModelLen: z.int().min(1),
      maxNumSeqs: z.int().min(1),
      maxNumBatchedTokens: z.int().min(1),
      blockSize: z.int().min(1),
      dtype: z.string(),
      kvCacheDtype: z.string(),
      kvBytesPerElement: z.number().gt(0),
      cudaGraphs: z.boolean(),
      cudaGraphEstimateSubtracted: z.boolean(),
      cudaGraphCaptureSizes: count(),
      maxCaptureSize: count(),
      chunkedPrefill: z.boolean(),
    }),
    perGpu: z.array(gpuBudget).describe("one entry per pipeline stage (its tensor-parallel ranks share it)"),
    kvCache: z.strictObject({
      bytesPerToken: nonNegativeBytes(),
      pageSizeBytes: nonNegativeBytes(),
      blockSize: z.int().min(1),
      numGroups: count(),
      groupSize: count(),
      numGpuBlocks: z.int(),
      tokens: z.int(),
      maxConcurrency: z.number(),
      bytesNeededForMaxModelLen: nonNegativeBytes(),
      estimatedMaxModelLen: z.int(),
    }),
    encoder: z
      .strictObject({
        modality: z.enum(["image", "video"]),
        tokensPerItem: count(),
        patchesPerItem: count(),
        itemWidth: count(),
        itemHeight: count(),
        items: count(),
        budgetTokens: count(),
        peakBytes: nonNegativeBytes(),
        outputBytes: nonNegativeBytes(),
      })
      .nullable()
      .describe("the multimodal encoder's part of the profile run (null for text-only models)"),
    diagnostics: z.array(diagnostic),
    explain: z
      .array(z.strictObject({ what: z.string(), formula: z.string(), bytes: z.int().optional(), value: z.number().optional(), source: z.string() }))
      .describe("the arithmetic line by line with its source (filled with --explain)"),
    whatIf: z
      .array(
        z.strictObject({
          code: z.string().regex(/^[A-Z0-9_]+$/),
          flags: z.array(flagValue),
          fits: z.boolean(),
          activationPeakBytes: nonNegativeBytes(),
          kvCacheBytes: bytes(),
          kvTokens: z.int(),
          maxConcurrency: z.number(),
          kvGainBytes: bytes(),
        }),
      )
      .describe("levers re-planned for vision models"),
    host: z
      .strictObject({
        cpuOffloadBytes: nonNegativeBytes().describe("weights moved to pinned host memory by --cpu-offload-gb, summed over the GPUs"),
        kvOffloadingBytes: nonNegativeBytes().describe("the --kv-offloading-size buffer (summed over the TP ranks)"),
        totalBytes: nonNegativeBytes().describe("cpuOffloadBytes + kvOffloadingBytes"),
        memoryBytes: nonNegativeBytes().describe("resident host memory of every process vLLM starts, /dev/shm included: what a container memory limit must hold (an estimate)"),
        shmBytes: nonNegativeBytes().describe("/dev/shm the deployment maps: message queues of TP/PP > 1, a shared KV offload pool, an shm multimodal cache"),
        processes: z.int().min(1).describe("processes vLLM starts: API servers, engine cores, one worker per GPU when TP × PP > 1"),
        parts: z
          .array(
            z.strictObject({
              what: z.enum(["processes", "mm-cache", "cpu-offload", "kv-offload", "sleep-weights", "message-queues"]),
              bytes: nonNegativeBytes(),
              shm: z.boolean().describe("in /dev/shm (and in shmBytes)"),
              estimate: z.boolean().describe("a measured figure rather than a size vLLM sets"),
            }),
          )
          .describe("each part of memoryBytes"),
      })
      .optional()
      .describe("host (CPU) memory and /dev/shm the deployment needs (core/host-memory.ts)"),
  })
  .describe("vram-plan plan --json: vLLM's start-up memory budget per GPU; bytes are integers of bytes");

/** The JSON Schema of `plan --json`, as `vram-plan schema` prints it. */
export function planJsonSchema(): Record<string, unknown> {
  return { title: "vram-plan plan --json", ...z.toJSONSchema(planJson) };
}

export function renderSchema(): string {
  return JSON.stringify(planJsonSchema(), null, 2) + "\n";
}
