// Host (CPU) memory and /dev/shm of a vLLM deployment (issue #15.3): the processes vLLM starts, the
// buffers they pin or map, and what a container's memory limit and /dev/shm must hold.
//
// vLLM source read (vllm-project/vllm):
//   Processes. V1 (engine "v1"): `vllm serve` runs --api-server-count API server processes (default 1)
//     and one EngineCore process per data-parallel rank (vllm/v1/engine/core_client.py,
//     vllm/v1/engine/utils.py launch_core_engines). With TP × PP = 1 the UniProcExecutor runs the model
//     inside the engine core; above 1 the MultiprocExecutor starts one WorkerProc per rank
//     (vllm/v1/executor/multiproc_executor.py). V0 (before 0.8): the API server, the MQLLMEngine
//     process (driver worker = rank 0) and one worker process per further rank.
//   Message queues in /dev/shm (vllm/distributed/device_communicators/shm_broadcast.py ShmRingBuffer:
//     (max_chunk_bytes + 1 + n_reader) × max_chunks bytes of multiprocessing.shared_memory, i.e. a
//     /dev/shm file). MultiprocExecutor: rpc_broadcast_mq = MessageQueue(world, local_world,
//     max_chunk_bytes = VLLM_MQ_MAX_CHUNK_BYTES_MB MiB) with 10 chunks; every WorkerProc:
//     worker_response_mq = MessageQueue(1, 1) (10 MiB × 10 chunks, MessageQueue's defaults);
//     vllm/distributed/parallel_state.py GroupCoordinator: the TP group's mq_broadcaster =
//     MessageQueue.create_from_process_group(cpu_group, 1 << 22, 6). tmpfs backs the pages lazily: a
//     /dev/shm smaller than the rings maps fine and dies with SIGBUS ("Bus error") when a write
//     reaches a page it cannot back — so the rings' full size is what must fit.
//   --mm-processor-cache-gb (vllm/config/multimodal.py MultiModalConfig.mm_processor_cache_gb,
//     default 4): "duplicated for each API process and engine core process, resulting in a total
//     memory usage of mm_processor_cache_gb * (api_server_count + data_parallel_size)"; with
//     --mm-processor-cache-type shm one shared-memory FIFO instead.
//   --cpu-offload-gb: pinned host copies of the moved weights (offload.ts).
//   --kv-offloading-size: the native backend's CPU pool; from 0.26 a SharedOffloadRegion mmap in
//     /dev/shm (PR #50094; vLLM then refuses to start when /dev/shm has less free: PR #50358,
//     "Insufficient space in /dev/shm"), before that pinned tensors per worker rounded up to a power
//     of two by PyTorch's CUDACachingHostAllocator (PR #48436, PR #50094's measurements).
//   Sleep mode level 1 (vllm/device_allocator/cumem.py CuMemAllocator.sleep(offload_tags=("weights",)))
//     copies every weight to pinned host memory before unmapping it: the host must hold the weights.
//   Weight loading: safetensors files are mmap'd (--safetensors-load-strategy lazy, the default):
//     page cache, reclaimable, not counted here; "eager" reads each file whole first.
import type { EngineFlags, ExplainLine, HostMemory, HostPart } from "./types.js";
import type { VllmRules } from "./vllm-versions.js";
import { gibText } from "./text.js";

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/**
 * Resident memory of one vLLM process (Python, torch, CUDA context host side, NCCL) before any
 * buffer the flags ask for: ≈3 GiB per worker, measured in PR #48436 (per-worker RSS "40GB + 3" with
 * a 40 GB pool, TP=2, "64GB + 3" before its fix). An estimate: issue #53042 measures 35 GiB of
 * anonymous memory for 4 GB200 workers with their engine core and API server (≈6-9 GiB a process).
 * Applied to the API server and engine core too (no public per-process figure for them was found).
 */
export const PROCESS_RSS_BYTES = 3 * GiB;

/** MessageQueue's defaults (shm_broadcast.py MessageQueue.__init__): 10 chunks of 10 MiB. */
const MQ_DEFAULT_CHUNK_BYTES = 10 * MiB;
const MQ_DEFAULT_CHUNKS = 10;
/** parallel_state.py GroupCoordinator: MessageQueue.create_from_process_group(cpu_group, 1 << 22, 6). */
const TP_MQ_CHUNK_BYTES = 1 << 22;
const TP_MQ_CHUNKS = 6;
/** vllm/config/multimodal.py MultiModalConfig.mm_processor_cache_gb default (GiB). */
export const MM_CACHE_DEFAULT_BYTES = 4 * GiB;
/** issue #53042: node Shmem / --kv-offloading-size measured 1.922 and 1.925 on 0.26.0 (4 KV-cache groups). */
const KV_OFFLOAD_MEASURED_FACTOR = 1.92;

export interface HostInput {
  rules: VllmRules;
  tp: number;
  pp: number;
  dp: number;
  flags: EngineFlags;
  /** The model has a multimodal processor (vision) and --language-model-only is off. */
  multimodal: boolean;
  /** Weights on one rank of each pipeline stage, bytes, as loaded on the GPU. */
  stageWeightsBytes: readonly number[];
  /** --cpu-offload-gb bytes moved, summed over one replica's GPUs (memory-features.ts). */
  cpuOffloadBytes: number;
}

/** Bytes of one ShmRingBuffer (shm_broadcast.py: (max_chunk_bytes + 1 + n_reader) × max_chunks). */
export function ringBytes(chunkBytes: number, chunks: number, readers: number): number {
  return (chunkBytes + 1 + readers) * chunks;
}

function nextPow2(n: number): number {
  if (n <= 1) return 1;
  return 2 ** Math.ceil(Math.log2(n));
}

/** The host memory and /dev/shm of one deployment, every part with its explain line. */
export function hostMemoryPlan(input: HostInput): { host: HostMemory; explain: ExplainLine[] } {
  const flags = input.flags;
  const rules = input.rules.host;
  const v1 = input.rules.engine === "v1";
  const world = input.tp * input.pp;
  const dp = Math.max(1, input.dp);
  const apiServers = Math.max(1, flags.apiServerCount ?? 1);
  const parts: HostPart[] = [];
  const explain: ExplainLine[] = [];
  const add = (part: HostPart, line: Omit<ExplainLine, "bytes">): void => {
    parts.push(part);
    explain.push({ ...line, bytes: part.bytes });
  };

  // --- Processes.
  const workers = world > 1 ? (v1 ? world : world - 1) * dp : 0;
  const cores = v1 ? dp : 1;
  const processes = apiServers + cores + workers;
  add(
    { what: "processes", bytes: processes * PROCESS_RSS_BYTES, shm: false, estimate: true },
    {
      what: "host: vLLM's processes",
      formula: `${apiServers} API server + ${cores} engine core${world > 1 ? ` + ${workers} worker${workers === 1 ? "" : "s"}` : " (model runs inside it)"} = ${processes} processes × ${gibText(PROCESS_RSS_BYTES)} resident each (estimate)`,
      source: "vllm/v1/executor/multiproc_executor.py (one WorkerProc per rank when TP × PP > 1); per-process RSS measured in PR #48436 (≈3 GiB a worker), issue #53042 (more on GB200)",
    },
  );

  // --- Multimodal processor cache.
  if (input.multimodal && rules.mmCache) {
    const each = flags.mmProcessorCacheBytes ?? MM_CACHE_DEFAULT_BYTES;
    if (each > 0) {
      const shm = flags.mmProcessorCacheType === "shm";
      const copies = shm ? dp : apiServers + dp;
      add(
        { what: "mm-cache", bytes: each * copies, shm, estimate: false },
        {
          what: "host: multimodal processor cache",
          formula: shm
            ? `--mm-processor-cache-type shm: one shared-memory FIFO of ${gibText(each)} per engine × ${dp}`
            : `${gibText(each)} (--mm-processor-cache-gb${flags.mmProcessorCacheBytes === undefined ? ", default 4" : ""}) × (api_server_count ${apiServers} + data_parallel_size ${dp}), a mirrored LRU in each process`,
          source: "vllm/config/multimodal.py MultiModalConfig.mm_processor_cache_gb / mm_processor_cache_type",
        },
      );
    }
  }

  // --- CPU weight offload.
  if (input.cpuOffloadBytes > 0) {
    add(
      { what: "cpu-offload", bytes: input.cpuOffloadBytes * dp, shm: false, estimate: false },
      {
        what: "host: --cpu-offload-gb weights",
        formula: `${gibText(input.cpuOffloadBytes)} of pinned weights per replica × ${dp}; each pinned tensor may round up to a power of two (issue #56410 measures 1.15-1.9× the asked size)`,
        source: "vllm/model_executor/offloader/uva.py _maybe_offload_to_cpu (pin_memory); issue #56410",
      },
    );
  }

  // --- KV offloading pool (native backend; LMCache sizes its own pool from the same flag).
  const kv = flags.kvOffloadingBytes ?? 0;
  if (kv > 0) {
    if (rules.kvOffloadInShm) {
      add(
        { what: "kv-offload", bytes: kv * dp, shm: true, estimate: false },
        {
          what: "host: KV offload pool (/dev/shm)",
          formula: `--kv-offloading-size ${gibText(kv)} per replica × ${dp}, an mmap in /dev/shm; issue #53042 measures ${KV_OFFLOAD_MEASURED_FACTOR}× that as Shmem on 0.26.0 (a hybrid model with 4 KV-cache groups): leave room`,
          source: "PR #50094 (SharedOffloadRegion), PR #50358 (/dev/shm free-space check), issue #53042",
        },
      );
    } else {
      const share = Math.ceil(kv / input.tp);
      const pinned = nextPow2(share) * input.tp * dp;
      add(
        { what: "kv-offload", bytes: pinned, shm: false, estimate: false },
        {
          what: "host: KV offload pool (pinned)",
          formula: `${input.tp} TP worker${input.tp === 1 ? "" : "s"} × next power of two of ${gibText(share)} (PyTorch's pinned allocator rounds each allocation) × ${dp} replica${dp === 1 ? "" : "s"}`,
          source: "vllm/v1/kv_offload/cpu (torch pin_memory tensors before PR #50094); rounding measured in PR #48436 and PR #50094",
        },
      );
    }
  }

  // --- Sleep mode level 1: weights copied to pinned host memory.
  if (flags.enableSleepMode) {
    const weights = input.stageWeightsBytes.reduce((a, b) => a + b, 0) * input.tp * dp;
    add(
      { what: "sleep-weights", bytes: weights, shm: false, estimate: false },
      {
        what: "host: sleep mode level 1",
        formula: `every GPU's weights (${gibText(weights)} over ${world * dp} GPUs) held in pinned host memory while asleep at level 1 (level 2 discards them)`,
        source: "vllm/device_allocator/cumem.py CuMemAllocator.sleep (offload_tags=(\"weights\",))",
      },
    );
  }

  // --- Message queues of TP/PP > 1 (/dev/shm).
  if (world > 1) {
    const tpRings = input.tp > 1 ? input.pp * ringBytes(TP_MQ_CHUNK_BYTES, TP_MQ_CHUNKS, input.tp - 1) : 0;
    const rpc = v1 ? ringBytes(rules.rpcChunkBytes, MQ_DEFAULT_CHUNKS, world) : 0;
    const responses = v1 ? world * ringBytes(MQ_DEFAULT_CHUNK_BYTES, MQ_DEFAULT_CHUNKS, 1) : 0;
    const bytes = (tpRings + rpc + responses) * dp;
    if (bytes > 0) {
      const terms = [
        rpc > 0 ? `executor broadcast (${rules.rpcChunkBytes / MiB} MiB + ${1 + world} B) × 10` : undefined,
        responses > 0 ? `${world} worker responses × (10 MiB + 2 B) × 10` : undefined,
        tpRings > 0 ? `${input.pp} TP group${input.pp === 1 ? "" : "s"} × (4 MiB + ${input.tp} B) × 6` : undefined,
      ].filter((s): s is string => s !== undefined);
      add(
        { what: "message-queues", bytes, shm: true, estimate: false },
        {
          what: "host: /dev/shm message queues",
          formula: `${terms.join(" + ")}${dp > 1 ? ` per replica × ${dp}` : ""}; NCCL's own /dev/shm segments come on top (not modeled)`,
          source: "vllm/distributed/device_communicators/shm_broadcast.py ShmRingBuffer; vllm/v1/executor/multiproc_executor.py; vllm/distributed/parallel_state.py GroupCoordinator",
        },
      );
    }
  }

  const shmBytes = parts.filter((p) => p.shm).reduce((a, p) => a + p.bytes, 0);
  const memoryBytes = parts.reduce((a, p) => a + p.bytes, 0);
  const kvOffloadingBytes = kv;
  const host: HostMemory = {
    cpuOffloadBytes: input.cpuOffloadBytes,
    kvOffloadingBytes,
    totalBytes: input.cpuOffloadBytes + kvOffloadingBytes,
    memoryBytes,
    shmBytes,
    processes,
    parts,
  };
  explain.push({
    what: "host memory",
    formula: `${gibText(memoryBytes)} resident (/dev/shm included), ${gibText(shmBytes)} of it in /dev/shm${flags.safetensorsLoadStrategy === "eager" ? "; --safetensors-load-strategy eager also reads each checkpoint file whole while loading (not counted)" : "; safetensors are mmap'd (page cache, reclaimable, not counted)"}`,
    bytes: memoryBytes,
    source: "core/host-memory.ts (parts above)",
  });
  return { host, explain };
}
