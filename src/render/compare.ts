// Renderers for `vram-plan compare`: a two-column table, markdown, and JSON. Units appear only here.
//
// JSON fields (stable; bytes are integers, GiB = 2^30 only in the text renderers):
//   workload: { promptTokens (text tokens of one prompt), imageTokens (added by the images of one
//     prompt), images [{width, height}], newTokens, batch, sequenceTokens (prompt + image tokens),
//     totalTokens (sequence + new tokens) }
//   offline: Hugging Face transformers generate() on one GPU —
//     offline.weightsBytes         parameters in the model dtype
//     offline.kvCacheBytes         DynamicCache after generation (batch × total tokens; sliding layers trimmed)
//     offline.activationPeakBytes  prefill/vision activations at the allocated peak (beyond weights, inputs, workspace, KV)
//     offline.peakAllocatedBytes   torch.cuda.max_memory_allocated()
//     offline.deviceBytes          what nvidia-smi shows for the process: CUDA context + PyTorch's reserved segments
//     plus inputsBytes, workspaceBytes, kvAtPeakBytes, encoderPeakBytes, reservedBytes,
//     allocatorReserveBytes, cudaContextBytes, peakPhase, attn, dtype, notes
//   offlineFits: whether offline.deviceBytes fits the GPU's CUDA-visible memory
//   vllm: the plan object, the same fields as `vram-plan plan --json`
//   vllmUsedBytes: vLLM's expected device memory on GPU 0; differenceBytes = vllmUsedBytes − offline.deviceBytes
//   why: [{ code: UP_FRONT_BUDGET | KV_FOR_CONCURRENCY | WORST_CASE_PROFILE | CUDA_GRAPHS | ALLOCATOR_RESERVE,
//           vllmBytes, offlineBytes, args, message }]
//   levers: [{ code: MAX_MODEL_LEN | MAX_NUM_SEQS | LIMIT_MM_PER_PROMPT | MAX_PIXELS | GPU_MEMORY_UTILIZATION,
//              flag, value, vllmUsedBytes (with this and the earlier levers), serves,
//              minUtilization (smallest --gpu-memory-utilization serving the workload so far), usedAtMinUtilizationBytes }]
//   closest: { flags [{flag, value}], vllmUsedBytes, serves }
import type { Comparison, Lever, WhyItem } from "../core/compare.js";
import { planToJsonObject } from "./json.js";
import { thousands, wrapLine, gibText } from "./format.js";

export function whyMessage(why: WhyItem, comparison: Comparison): string {
  const args = why.args;
  switch (why.code) {
    case "UP_FRONT_BUDGET":
      return `vLLM takes ${gibText(why.vllmBytes)} up front (--gpu-memory-utilization ${args["utilization"]} × ${gibText(Number(args["totalBytes"]))}); generate() grows to ${gibText(why.offlineBytes)} only as it needs.`;
    case "KV_FOR_CONCURRENCY":
      return `vLLM fills the rest with KV cache: ${gibText(why.vllmBytes)} = ${thousands(Number(args["kvTokens"]))} tokens, ${args["maxConcurrency"]}× sequences of --max-model-len ${thousands(Number(args["maxModelLen"]))} (up to --max-num-seqs ${args["maxNumSeqs"]}); this workload's cache is ${gibText(why.offlineBytes)} (${thousands(Number(args["offlineTokens"]))} tokens).`;
    case "WORST_CASE_PROFILE":
      return `vLLM sizes activations on a worst-case profile run (${thousands(Number(args["maxNumBatchedTokens"]))} batched tokens${Number(args["encoderItems"]) > 0 ? `, ${args["encoderItems"]} ${args["encoderModality"]}(s) of ${thousands(Number(args["encoderTokensPerItem"]))} tokens` : ""}; peak in the ${args["phase"]} phase): ${gibText(why.vllmBytes)}; this prefill of ${thousands(Number(args["offlineTokens"]))} tokens peaks at ${gibText(why.offlineBytes)}.`;
    case "CUDA_GRAPHS":
      return `vLLM captures CUDA graphs for ${args["captureSizes"]} batch sizes: ${gibText(why.vllmBytes)}; generate() runs eagerly.`;
    case "ALLOCATOR_RESERVE":
      return `Offline, PyTorch's caching allocator keeps freed blocks: the process shows ${gibText(why.offlineBytes)} more than the ${gibText(Number(args["peakAllocatedBytes"]))} peak allocated.`;
  }
  return comparison.vllm.model.id;
}

export function leverText(lever: Lever): string {
  const flag = `${lever.flag} ${lever.flag.startsWith("--limit") || lever.flag.startsWith("--mm") ? `'${lever.value}'` : lever.value}`;
  if (lever.code === "GPU_MEMORY_UTILIZATION") return `${flag} → vLLM ${gibText(lever.vllmUsedBytes)}${lever.serves ? ", the smallest that still serves this workload" : ""}`;
  const tail = lever.minUtilization !== null && lever.usedAtMinUtilizationBytes !== null ? `the smallest --gpu-memory-utilization that serves this workload becomes ${lever.minUtilization.toFixed(2)} (vLLM ${gibText(lever.usedAtMinUtilizationBytes)})` : "no --gpu-memory-utilization up to 0.99 serves this workload";
  return `${flag} → ${tail}`;
}

export function compareRows(comparison: Comparison): [string, string, string][] {
  const offline = comparison.offline;
  const budget = comparison.vllm.perGpu[0];
  const out: [string, string, string][] = [
    ["weights", gibText(offline.weightsBytes), budget ? gibText(budget.weightsBytes) : "-"],
    ["KV cache", gibText(offline.kvCacheBytes), budget ? gibText(Math.max(0, budget.kvCacheBytes)) : "-"],
    // The activation peak is the largest phase's, so never below the vision encoder pass on its own
    // (offline, the encoder pass can peak before the allocated peak of the prefill).
    ["activation peak (largest phase)", gibText(Math.max(offline.activationPeakBytes, offline.encoderPeakBytes)), budget ? gibText(budget.activationPeakBytes) : "-"],
  ];
  if (offline.encoderPeakBytes > 0 || (budget && budget.encoderPeakBytes > 0)) out.push(["  vision encoder pass alone", gibText(offline.encoderPeakBytes), budget ? gibText(budget.encoderPeakBytes) : "-"]);
  out.push(["inputs + cuBLAS workspace", gibText(offline.inputsBytes + offline.workspaceBytes), "-"]);
  out.push(["CUDA graphs", "-", budget ? gibText(budget.cudaGraphBytes) : "-"]);
  out.push(["peak allocated (torch)", gibText(offline.peakAllocatedBytes), "-"]);
  out.push(["allocator reserve", gibText(offline.allocatorReserveBytes), "-"]);
  out.push(["non-torch memory", "-", budget ? gibText(budget.nonTorchBytes) : "-"]);
  out.push(["CUDA context", gibText(offline.cudaContextBytes), budget ? gibText(budget.cudaContextBytes) : "-"]);
  out.push(["device memory (nvidia-smi)", gibText(offline.deviceBytes), gibText(comparison.vllmUsedBytes)]);
  return out;
}

export function compareHeader(comparison: Comparison): string {
  const workload = comparison.workload;
  const imgs = workload.images.length ? `, ${workload.images.length} image(s) ${workload.images.map((i) => `${i.width}x${i.height}`).join(", ")} = ${thousands(workload.imageTokens)} image tokens` : "";
  return `${comparison.vllm.model.id} on ${comparison.vllm.gpu.name}: ${thousands(workload.promptTokens)} text tokens${imgs}, ${thousands(workload.newTokens)} new tokens, batch ${workload.batch} (${thousands(workload.totalTokens)} tokens a sequence)`;
}

/**
 * --explain for compare: how each offline figure is made (from the trace of generate()), then the
 * vLLM plan's own arithmetic lines.
 */
export function renderCompareExplain(comparison: Comparison, columns = 80): string {
  const offline = comparison.offline;
  const bytesText = (x: number): string => `${thousands(x)} B (${gibText(x)})`;
  const lines = [
    "",
    `How the offline figures were computed (transformers generate(), ${offline.attn} attention, ${offline.dtype}; peak in the ${offline.peakPhase} phase):`,
    `  weights: parameters × dtype bytes = ${bytesText(offline.weightsBytes)}`,
    `  KV cache: batch × tokens × per-token K and V of every layer = ${bytesText(offline.kvCacheBytes)} (${bytesText(offline.kvAtPeakBytes)} held at the peak)`,
    `  inputs + cuBLAS workspace: ${bytesText(offline.inputsBytes)} + ${bytesText(offline.workspaceBytes)}`,
    `  activations at the allocated peak: peak allocated − weights − workspace − inputs − KV at the peak = ${bytesText(offline.activationPeakBytes)}`,
    ...(offline.encoderPeakBytes > 0 ? [`  vision encoder pass alone: its own peak above what was allocated before it = ${bytesText(offline.encoderPeakBytes)}`] : []),
    `  peak allocated (torch.cuda.max_memory_allocated) = ${bytesText(offline.peakAllocatedBytes)}`,
    `  allocator reserve: reserved − peak allocated (the caching allocator keeps freed blocks) = ${bytesText(offline.allocatorReserveBytes)}`,
    `  device memory: CUDA context ${bytesText(offline.cudaContextBytes)} + reserved ${bytesText(offline.reservedBytes)} = ${bytesText(offline.deviceBytes)}`,
    "      source: src/core/offline.ts (a trace of the allocations generate() makes, checked against H100 runs in fixtures/offline)",
  ];
  return lines.flatMap((l) => wrapLine(l, columns, [" "], "      ")).join("\n") + "\n";
}

export function renderCompareTable(comparison: Comparison, columns = 80): string {
  const rows: [string, string, string][] = [["", "offline", `vLLM ${comparison.vllm.engine.vllmVersion}`], ...compareRows(comparison)];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const w2 = Math.max(...rows.map((x) => x[2].length));
  const lines = [compareHeader(comparison), `offline: transformers generate() with ${comparison.offline.attn} attention, one GPU`, ""];
  for (const [a, b, d] of rows) lines.push(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${d.padStart(w2)}`);
  lines.push("");
  const diff = comparison.differenceBytes;
  lines.push(`vLLM shows ${gibText(comparison.vllmUsedBytes)}, offline generate() ${gibText(comparison.offline.deviceBytes)}: ${diff >= 0 ? gibText(diff) + " more" : gibText(-diff) + " less"} with vLLM.${comparison.offlineFits ? "" : " Offline generate() would not fit this GPU."}${comparison.vllm.fits ? "" : " vLLM would not start with these flags."}`);
  lines.push("");
  lines.push("Why they differ:");
  for (const w of comparison.why) lines.push(`  - ${whyMessage(w, comparison)}`);
  lines.push("");
  if (comparison.levers.length) {
    lines.push("Levers that bring vLLM closest to the offline footprint (each on top of the ones above):");
    for (const l of comparison.levers) lines.push(`  - ${leverText(l)}`);
    lines.push(`  Together: vLLM ${gibText(comparison.closest.vllmUsedBytes)} vs offline ${gibText(comparison.offline.deviceBytes)}${comparison.closest.serves ? ", still serving this workload" : ""}.`);
  } else lines.push("No vLLM flag brings it closer for this workload.");
  for (const n of comparison.offline.notes) lines.push(`note: ${n}`);
  return lines.flatMap((l) => wrapLine(l, columns, [" "], l.startsWith("  - ") ? "    " : "  ")).join("\n") + "\n";
}

export function renderCompareMarkdown(comparison: Comparison): string {
  const lines = [`### ${compareHeader(comparison)}`, "", `| | offline (transformers, ${comparison.offline.attn}) | vLLM ${comparison.vllm.engine.vllmVersion} |`, "|---|---:|---:|"];
  for (const [a, b, d] of compareRows(comparison)) lines.push(`| ${a.trim()} | ${b} | ${d} |`);
  lines.push("", "**Why they differ**", "");
  for (const w of comparison.why) lines.push(`- ${whyMessage(w, comparison)}`);
  if (comparison.levers.length) {
    lines.push("", "**Levers** (cumulative)", "");
    for (const l of comparison.levers) lines.push(`- ${leverText(l)}`);
  }
  for (const n of comparison.offline.notes) lines.push("", `_note: ${n}_`);
  return lines.join("\n") + "\n";
}

export function compareToJsonObject(comparison: Comparison): object {
  return {
    workload: comparison.workload,
    offline: comparison.offline,
    offlineFits: comparison.offlineFits,
    vllm: planToJsonObject(comparison.vllm),
    vllmUsedBytes: comparison.vllmUsedBytes,
    differenceBytes: comparison.differenceBytes,
    why: comparison.why.map((w) => ({ ...w, message: whyMessage(w, comparison) })),
    levers: comparison.levers,
    closest: comparison.closest,
  };
}

export function renderCompareJson(comparison: Comparison): string {
  return JSON.stringify(compareToJsonObject(comparison), null, 2) + "\n";
}
