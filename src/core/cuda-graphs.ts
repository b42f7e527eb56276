// CUDA-graph memory. vLLM captures graphs after the KV cache is allocated (Worker.compile_or_warm_up_model);
// from v0.21 it estimates their memory first and subtracts it from the KV budget
// (GPUModelRunner.profile_cudagraph_memory: first capture + per-graph × (n − 1), per mode).
import type { ModelArch } from "./types.js";

/**
 * Device memory per captured graph per decoder layer on the rank (kernel nodes of the graph exec and
 * their parameters). Two independent logs agree: Qwen3-8B (36 layers, 51 PIECEWISE + 35 FULL graphs)
 * "Estimated CUDA graph memory: 0.52 GiB" → 176 KiB; Qwen2.5-1.5B on a T4, V0 (28 layers, 35 graphs)
 * "Graph capturing finished ..., took 0.17 GiB" → 182 KiB (fixtures/vllm-logs). MoE layers launch more
 * kernels and are under-estimated by this term (Qwen3-235B TP8: ≈575 KiB per layer-graph).
 */
export const GRAPH_BYTES_PER_LAYER = 180 * 1024;

export interface CudaGraphInput {
  model: ModelArch;
  layersOnRank: number;
  piecewiseGraphs: number;
  fullGraphs: number;
  largestCapture: number;
  /** Bytes per token of the largest layer transient (the first capture's pool holds one). */
  textBytesPerToken: number;
}

export function cudaGraphBytes(x: CudaGraphInput): number {
  const graphs = x.piecewiseGraphs + x.fullGraphs;
  if (graphs === 0) return 0;
  const firstCapture = x.largestCapture * x.textBytesPerToken;
  return Math.round(firstCapture + graphs * x.layersOnRank * GRAPH_BYTES_PER_LAYER);
}
