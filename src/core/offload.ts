// Weight offload (--cpu-offload-gb) and KV offloading (--kv-offloading-size / --kv-offloading-backend):
// what they take off each GPU and what they hold in host memory.
//
// vLLM source read (vllm-project/vllm):
//   --cpu-offload-gb (OffloadConfig / CacheConfig.cpu_offload_gb: "the space in GiB to offload to
//     CPU, per GPU"): make_layers (vllm/model_executor/models/utils.py) wraps the decoder layers with
//     get_offloader().wrap_modules; the UVA offloader (vllm/model_executor/offloader/uva.py
//     _maybe_offload_to_cpu, earlier utils.py maybe_offload_to_cpu) moves parameters, layer by layer
//     from the first, into pinned host memory while fewer than cpu_offload_gb bytes have moved — per
//     parameter, so the last moved tensor may cross the budget. Embeddings and lm_head stay on the GPU.
//     The GPU then holds a view (UVA) of each moved tensor: weights memory drops by the moved bytes.
//     Model Runner V2 never installs the offloader (issue #51396): there the flag changes nothing.
//   --kv-offloading-size (vllm/config/cache.py CacheConfig.kv_offloading_size: "Size of the KV cache
//     offloading buffer in GiB. When TP > 1, this is the total buffer size summed across all TP
//     ranks"); backend "native" configures the OffloadingConnector with cpu_bytes_to_use =
//     kv_offloading_size × 2^30 (vllm/config/vllm.py), "lmcache" hands the same size to LMCache. The
//     GPU KV cache is sized exactly as without it (the CPU tier is extra capacity), so it saves no
//     GPU memory; the host holds the buffer.
import type { ExplainLine } from "./types.js";

export interface CpuOffload {
  /** Bytes moved to the host on one GPU (0 when ignored). */
  offloadedBytes: number;
  /** The flag had no effect (Model Runner V2). */
  ignored: boolean;
  explain: ExplainLine;
}

/**
 * Bytes --cpu-offload-gb takes off one GPU: min(requested, the decoder layers' weights on the rank).
 * The per-parameter crossing of the budget (up to one tensor more) is not modeled.
 */
export function cpuOffload(requestedBytes: number, layerWeightsBytes: number, onModelRunnerV2: boolean): CpuOffload {
  if (onModelRunnerV2) {
    return {
      offloadedBytes: 0,
      ignored: true,
      explain: { what: "CPU weight offload", formula: `--cpu-offload-gb ${requestedBytes} B ignored: Model Runner V2 never installs the offloader`, bytes: 0, source: "vllm issue #51396 (V2 GPUModelRunner does not call set_offloader); V2 default for dense models from 0.25.1 (PR #44443)" },
    };
  }
  const moved = Math.max(0, Math.min(requestedBytes, Math.floor(layerWeightsBytes)));
  return {
    offloadedBytes: moved,
    ignored: false,
    explain: { what: "CPU weight offload", formula: `min(--cpu-offload-gb ${requestedBytes} B, decoder-layer weights ${Math.round(layerWeightsBytes)} B) moved to pinned host memory (UVA)`, bytes: moved, source: "vllm/model_executor/offloader/uva.py _maybe_offload_to_cpu (via make_layers)" },
  };
}

export function kvOffloadExplain(bytes: number, backend: string | undefined): ExplainLine {
  return {
    what: "KV offloading (host)",
    formula: `${bytes} B of host memory for the ${backend ?? "native"} backend, summed over the TP ranks; GPU KV cache unchanged`,
    bytes,
    source: "vllm/config/cache.py CacheConfig.kv_offloading_size; vllm/config/vllm.py (OffloadingConnector cpu_bytes_to_use)",
  };
}
