// Parameter groups: a model's parameters described like the checkpoint's tensors, with how tensor
// parallelism splits each (vLLM's parallel linear classes). Shared by weights.ts and the vision family
// layouts (src/core/vision/<family>.ts paramGroups).
export type Split =
  | "column" // ColumnParallelLinear / MergedColumnParallelLinear: output rows / tp
  | "row" // RowParallelLinear: input columns / tp, bias replicated
  | "replicated" // norms, ReplicatedLinear (routers, MLA down-projections)
  | "qkv" // QKVParallelLinear: query heads / tp, KV heads / tp but at least 1 (replicated)
  | "experts"; // FusedMoE: experts / ep, and each expert's intermediate / tp

export type Component = "embedding" | "lm_head" | "attention" | "mlp" | "experts" | "router" | "norm" | "vision";

export interface ParamGroup {
  name: string;
  component: Component;
  /** Output features (rows) and input features (columns) of one instance; norms: out = size, in = 1. */
  out: number;
  in: number;
  /** Bias elements of one instance (full size). */
  bias: number;
  split: Split;
  /** A LinearBase (or FusedMoE) layer, so a quantization method applies to it. */
  linear: boolean;
  /** FusedMoE: number of experts (each out × in). */
  experts?: number;
  /** Number of shards fused into one parameter (qkv = 3, gate_up = 2): fp8 per-tensor scales. */
  shards?: number;
  /** QKV groups of a layer with its own KV head count (Nemotron-NAS); else the model's. */
  kvHeads?: number;
}

export function lin(name: string, component: Component, out: number, inn: number, split: Split, bias = 0, shards = 1): ParamGroup {
  return { name, component, out, in: inn, bias, split, linear: true, shards };
}
export function norm(name: string, size: number, component: Component = "norm", withBias = false): ParamGroup {
  return { name, component, out: size, in: 1, bias: withBias ? size : 0, split: "replicated", linear: false };
}

/** A replicated, non-linear parameter (patch embeddings, position tables, projector weights of a tower). */
export function rep(name: string, out: number, inn: number, bias = 0, component: Component = "vision"): ParamGroup {
  return { name, component, out, in: inn, bias, split: "replicated", linear: false };
}
