// LoRA (--enable-lora, --max-loras, --max-lora-rank, --fully-sharded-loras, --lora-dtype): the GPU
// buffers vLLM allocates for its adapter slots while loading the model, and what LoRA changes in
// the profile run and the CUDA-graph capture.
//
// vLLM source read (vllm-project/vllm):
//   vllm/lora/model_manager.py LoRAModelManager (@01533aa8f9c0, 2026): `lora_slots` = max_loras
//     (no extra slot); `_create_lora_modules` wraps every module whose name is in
//     get_supported_lora_modules (vllm/lora/utils.py: every LinearBase and FusedMoE module of the
//     language model, plus the model's `embedding_modules`), calling from_layer(module, lora_slots, ...)
//     → create_lora_weights(max_loras, ...).
//   vllm/lora/layers/base_linear.py BaseLinearLayerWithLoRA.create_lora_weights (@01235a494f17):
//     lora_a_stacked = n_slices × zeros(max_loras, 1, a_out, input_size), lora_b_stacked =
//     n_slices × zeros(max_loras, 1, b_out, max_lora_rank), dtype lora_config.lora_dtype;
//     ReplicatedLinear a_out = r, b_out = out; ColumnParallelLinear a_out = r (r / tp when
//     fully sharded), b_out = out / tp; RowParallelLinear input_size = in / tp
//     (row_parallel_linear.py RowParallelLinearWithLoRA.__init__), a_out = r, b_out = out
//     (out / tp when fully sharded).
//   vllm/lora/layers/column_parallel_linear.py MergedColumnParallelLinearWithLoRA /
//     MergedQKVParallelLinearWithLoRA (@0163de2b7c0f): one lora_a per packed slice (gate/up: 2,
//     q/k/v: 3), lora_b per slice with the slice's per-rank width (q heads / tp, KV heads per rank).
//   vllm/lora/layers/fused_moe.py FusedMoEWithLoRA._create_lora_{a,b}_weights: per adapter and local
//     expert, w13 (one stack per gate/up slice) lora_a (r, hidden), lora_b (intermediate / tp, r);
//     w2 lora_a (r, intermediate / tp), lora_b (hidden, r).
//   vllm/v1/worker/lora_model_runner_mixin.py maybe_setup_dummy_loras: the profile run activates
//     max_loras dummy adapters of rank LORA_WARMUP_RANK = 8, created on the CPU and copied into the
//     slots above (no new GPU tensors); vllm/lora/punica_wrapper shrink buffers are fp32
//     [slices, tokens, r] temporaries.
//   vllm/v1/cudagraph_dispatcher.py _get_lora_cases: with cudagraph_specialize_lora (default True,
//     PR #25914, merged Oct 2025) every capture size is captured without and with LoRA
//     ([0] + get_captured_lora_counts(max_loras, specialize_active_lora=False) = [0, max_loras + 1]).
import type { ExplainLine, LoraFlags, ModelArch, TorchDtype } from "./types.js";
import { DTYPE_BYTES, paramLayout, ppLayerRanges, type ParamGroup } from "./weights.js";

export interface LoraSlots {
  /** Bytes of lora_a/lora_b buffers on one rank of the stage (all slots). */
  bytes: number;
  /** Bytes one adapter slot holds on that rank. */
  bytesPerSlot: number;
  slots: number;
  rank: number;
  dtypeBytes: number;
  /** Modules wrapped on the stage (one per linear group per layer). */
  modules: number;
}

/** Elements one adapter slot holds for one linear group on one rank (lora_a + lora_b). */
export function loraElementsPerSlot(model: ModelArch, group: ParamGroup, tp: number, ep: number, rank: number, fullySharded: boolean): number {
  const ra = fullySharded ? rank / tp : rank; // column-parallel lora_a out size
  const slices = group.shards ?? 1;
  switch (group.split) {
    case "qkv": {
      // MergedQKVParallelLinearWithLoRA: q heads / tp, KV heads / tp (one replicated head when tp > KV heads).
      const kv = tp >= model.numKvHeads ? 1 : model.numKvHeads / tp;
      const out = (model.numHeads / tp + 2 * kv) * model.headDim;
      return slices * ra * group.in + out * rank;
    }
    case "column":
      return slices * ra * group.in + (group.out / tp) * rank;
    case "row":
      return rank * (group.in / tp) + (fullySharded ? group.out / tp : group.out) * rank;
    case "experts": {
      const local = (group.experts ?? 1) / ep;
      const split = ep > 1 ? 1 : tp;
      if (group.name.endsWith("w13")) return local * (slices * ra * group.in + (group.out / split) * rank);
      return local * (rank * (group.in / split) + (fullySharded ? group.out / tp : group.out) * rank);
    }
    default:
      // ReplicatedLinear (MLA down-projections, MoE routers): lora_a (r, in), lora_b (out, r).
      return rank * group.in + group.out * rank;
  }
}

/** Whether vLLM wraps the group with a LoRA layer (LinearBase / FusedMoE of the language model). */
function wrapped(group: ParamGroup): boolean {
  if (group.component === "vision" || group.component === "embedding" || group.component === "lm_head" || group.component === "norm") return false;
  // MoE routers are ReplicatedLinear (a LinearBase) in vLLM even where the weights layout marks them non-quantizable.
  if (group.component === "router") return group.in > 1;
  return group.linear;
}

/** LoRA slot buffers on one rank of a pipeline stage. */
export function loraSlotBytes(model: ModelArch, lora: LoraFlags, tp: number, ep: number, pp: number, stage: number, modelDtype: TorchDtype): LoraSlots {
  const dtype = lora.loraDtype && lora.loraDtype !== "auto" ? lora.loraDtype : modelDtype; // LoRAConfig: "auto" → model dtype
  const dtypeBytes = DTYPE_BYTES[dtype];
  const layout = paramLayout(model);
  const [start, end] = ppLayerRanges(model.numLayers, pp)[stage] ?? [0, model.numLayers];
  const perTemplate = layout.templates.map((template) => {
    let slotElements = 0;
    let slotModules = 0;
    for (const group of template.groups) {
      if (!wrapped(group)) continue;
      slotElements += loraElementsPerSlot(model, group, tp, ep, lora.maxLoraRank, lora.fullyShardedLoras);
      slotModules++;
    }
    return { elements: slotElements, modules: slotModules };
  });
  let elements = 0;
  let modules = 0;
  for (let i = start; i < end; i++) {
    const template = perTemplate[layout.layerTemplate[i] ?? 0];
    if (template) {
      elements += template.elements;
      modules += template.modules;
    }
  }
  const bytesPerSlot = Math.round(elements * dtypeBytes);
  return { bytes: bytesPerSlot * lora.maxLoras, bytesPerSlot, slots: lora.maxLoras, rank: lora.maxLoraRank, dtypeBytes, modules };
}

/**
 * Extra activation bytes of the profile run with LoRA: the fp32 shrink buffer [slices, tokens, r]
 * of the widest packed module lives next to the base layer's output. It raises the text peak only
 * when it is wider than the MLP's activation output it sits beside (never for r ≤ 64 on real
 * models), so this is usually 0.
 */
export function loraActivationExtraBytes(model: ModelArch, lora: LoraFlags, tp: number, tokens: number, dtypeBytes: number): number {
  const shrink = 3 * tokens * lora.maxLoraRank * 4; // qkv: 3 slices, fp32 (punica add_lora_linear)
  const beside = tokens * (model.intermediateSize / tp) * dtypeBytes; // SiluAndMul output of the MLP
  return Math.max(0, shrink - beside);
}

export function loraExplain(slots: LoraSlots, graphsDoubled: boolean): ExplainLine[] {
  return [
    {
      what: "LoRA slots",
      formula: `${slots.slots} slots × ${slots.bytesPerSlot} B (rank ${slots.rank}, ${slots.modules} modules, ${slots.dtypeBytes} B/element; lora_a + lora_b per packed slice)`,
      bytes: slots.bytes,
      source: "vllm/lora/model_manager.py LoRAModelManager._create_lora_modules → vllm/lora/layers/*.py create_lora_weights (counted in \"Model loading took\")",
    },
    {
      what: "LoRA profile run",
      formula: "max_loras dummy adapters of rank 8, built on the CPU and copied into the slots: no new GPU tensors",
      source: "vllm/v1/worker/lora_model_runner_mixin.py maybe_setup_dummy_loras (LORA_WARMUP_RANK = 8)",
    },
    {
      what: "LoRA CUDA graphs",
      formula: graphsDoubled ? "every capture size captured without and with LoRA (× 2 graphs)" : "one set of graphs (before cudagraph_specialize_lora)",
      source: "vllm/v1/cudagraph_dispatcher.py _get_lora_cases (PR #25914, v0.11.1+)",
    },
  ];
}
