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
import { gib, thousands, wrapLine } from "./format.js";

const g = (b: number): string => `${gib(b)} GiB`;

export function whyMessage(w: WhyItem, c: Comparison): string {
  const a = w.args;
  switch (w.code) {
    case "UP_FRONT_BUDGET":
      return `vLLM takes ${g(w.vllmBytes)} up front (--gpu-memory-utilization ${a["utilization"]} × ${g(Number(a["totalBytes"]))}); generate() grows to ${g(w.offlineBytes)} only as it needs.`;
    case "KV_FOR_CONCURRENCY":
      return `vLLM fills the rest with KV cache: ${g(w.vllmBytes)} = ${thousands(Number(a["kvTokens"]))} tokens, ${a["maxConcurrency"]}× sequences of --max-model-len ${thousands(Number(a["maxModelLen"]))} (up to --max-num-seqs ${a["maxNumSeqs"]}); this workload's cache is ${g(w.offlineBytes)} (${thousands(Number(a["offlineTokens"]))} tokens).`;
    case "WORST_CASE_PROFILE":
      return `vLLM sizes activations on a worst-case profile run (${thousands(Number(a["maxNumBatchedTokens"]))} batched tokens${Number(a["encoderItems"]) > 0 ? `, ${a["encoderItems"]} ${a["encoderModality"]}(s) of ${thousands(Number(a["encoderTokensPerItem"]))} tokens` : ""}; peak in the ${a["phase"]} phase): ${g(w.vllmBytes)}; this prefill of ${thousands(Number(a["offlineTokens"]))} tokens peaks at ${g(w.offlineBytes)}.`;
    case "CUDA_GRAPHS":
      return `vLLM captures CUDA graphs for ${a["captureSizes"]} batch sizes: ${g(w.vllmBytes)}; generate() runs eagerly.`;
    case "ALLOCATOR_RESERVE":
      return `Offline, PyTorch's caching allocator keeps freed blocks: the process shows ${g(w.offlineBytes)} more than the ${g(Number(a["peakAllocatedBytes"]))} peak allocated.`;
  }
  return c.vllm.model.id;
}

export function leverText(l: Lever): string {
  const flag = `${l.flag} ${l.flag.startsWith("--limit") || l.flag.startsWith("--mm") ? `'${l.value}'` : l.value}`;
  if (l.code === "GPU_MEMORY_UTILIZATION") return `${flag} → vLLM ${g(l.vllmUsedBytes)}${l.serves ? ", the smallest that still serves this workload" : ""}`;
  const tail = l.minUtilization !== null && l.usedAtMinUtilizationBytes !== null ? `the smallest --gpu-memory-utilization that serves this workload becomes ${l.minUtilization.toFixed(2)} (vLLM ${g(l.usedAtMinUtilizationBytes)})` : "no --gpu-memory-utilization up to 0.99 serves this workload";
  return `${flag} → ${tail}`;
}

export function compareRows(c: Comparison): [string, string, string][] {
  const o = c.offline;
  const v = c.vllm.perGpu[0];
  const out: [string, string, string][] = [
    ["weights", g(o.weightsBytes), v ? g(v.weightsBytes) : "-"],
    ["KV cache", g(o.kvCacheBytes), v ? g(Math.max(0, v.kvCacheBytes)) : "-"],
    // The activation peak is the largest phase's, so never below the vision encoder pass on its own
    // (offline, the encoder pass can peak before the allocated peak of the prefill).
    ["activation peak (largest phase)", g(Math.max(o.activationPeakBytes, o.encoderPeakBytes)), v ? g(v.activationPeakBytes) : "-"],
  ];
  if (o.encoderPeakBytes > 0 || (v && v.encoderPeakBytes > 0)) out.push(["  vision encoder pass alone", g(o.encoderPeakBytes), v ? g(v.encoderPeakBytes) : "-"]);
  out.push(["inputs + cuBLAS workspace", g(o.inputsBytes + o.workspaceBytes), "-"]);
  out.push(["CUDA graphs", "-", v ? g(v.cudaGraphBytes) : "-"]);
  out.push(["peak allocated (torch)", g(o.peakAllocatedBytes), "-"]);
  out.push(["allocator reserve", g(o.allocatorReserveBytes), "-"]);
  out.push(["non-torch memory", "-", v ? g(v.nonTorchBytes) : "-"]);
  out.push(["CUDA context", g(o.cudaContextBytes), v ? g(v.cudaContextBytes) : "-"]);
  out.push(["device memory (nvidia-smi)", g(o.deviceBytes), g(c.vllmUsedBytes)]);
  return out;
}

export function compareHeader(c: Comparison): string {
  const w = c.workload;
  const imgs = w.images.length ? `, ${w.images.length} image(s) ${w.images.map((i) => `${i.width}x${i.height}`).join(", ")} = ${thousands(w.imageTokens)} image tokens` : "";
  return `${c.vllm.model.id} on ${c.vllm.gpu.name}: ${thousands(w.promptTokens)} text tokens${imgs}, ${thousands(w.newTokens)} new tokens, batch ${w.batch} (${thousands(w.totalTokens)} tokens a sequence)`;
}

/**
 * --explain for compare: how each offline figure is made (from the trace of generate()), then the
 * vLLM plan's own arithmetic lines.
 */
export function renderCompareExplain(c: Comparison, columns = 80): string {
  const o = c.offline;
  const b = (x: number): string => `${thousands(x)} B (${gib(x)} GiB)`;
  const lines = [
    "",
    `How the offline figures were computed (transformers generate(), ${o.attn} attention, ${o.dtype}; peak in the ${o.peakPhase} phase):`,
    `  weights: parameters × dtype bytes = ${b(o.weightsBytes)}`,
    `  KV cache: batch × tokens × per-token K and V of every layer = ${b(o.kvCacheBytes)} (${b(o.kvAtPeakBytes)} held at the peak)`,
    `  inputs + cuBLAS workspace: ${b(o.inputsBytes)} + ${b(o.workspaceBytes)}`,
    `  activations at the allocated peak: peak allocated − weights − workspace − inputs − KV at the peak = ${b(o.activationPeakBytes)}`,
    ...(o.encoderPeakBytes > 0 ? [`  vision encoder pass alone: its own peak above what was allocated before it = ${b(o.encoderPeakBytes)}`] : []),
    `  peak allocated (torch.cuda.max_memory_allocated) = ${b(o.peakAllocatedBytes)}`,
    `  allocator reserve: reserved − peak allocated (the caching allocator keeps freed blocks) = ${b(o.allocatorReserveBytes)}`,
    `  device memory: CUDA context ${b(o.cudaContextBytes)} + reserved ${b(o.reservedBytes)} = ${b(o.deviceBytes)}`,
    "      source: src/core/offline.ts (a trace of the allocations generate() makes, checked against H100 runs in fixtures/offline)",
  ];
  return lines.flatMap((l) => wrapLine(l, columns, [" "], "      ")).join("\n") + "\n";
}

export function renderCompareTable(c: Comparison, columns = 80): string {
  const r: [string, string, string][] = [["", "offline", `vLLM ${c.vllm.engine.vllmVersion}`], ...compareRows(c)];
  const w0 = Math.max(...r.map((x) => x[0].length));
  const w1 = Math.max(...r.map((x) => x[1].length));
  const w2 = Math.max(...r.map((x) => x[2].length));
  const lines = [compareHeader(c), `offline: transformers generate() with ${c.offline.attn} attention, one GPU`, ""];
  for (const [a, b, d] of r) lines.push(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${d.padStart(w2)}`);
  lines.push("");
  const diff = c.differenceBytes;
  lines.push(`vLLM shows ${g(c.vllmUsedBytes)}, offline generate() ${g(c.offline.deviceBytes)}: ${diff >= 0 ? g(diff) + " more" : g(-diff) + " less"} with vLLM.${c.offlineFits ? "" : " Offline generate() would not fit this GPU."}${c.vllm.fits ? "" : " vLLM would not start with these flags."}`);
  lines.push("");
  lines.push("Why they differ:");
  for (const w of c.why) lines.push(`  - ${whyMessage(w, c)}`);
  lines.push("");
  if (c.levers.length) {
    lines.push("Levers that bring vLLM closest to the offline footprint (each on top of the ones above):");
    for (const l of c.levers) lines.push(`  - ${leverText(l)}`);
    lines.push(`  Together: vLLM ${g(c.closest.vllmUsedBytes)} vs offline ${g(c.offline.deviceBytes)}${c.closest.serves ? ", still serving this workload" : ""}.`);
  } else lines.push("No vLLM flag brings it closer for this workload.");
  for (const n of c.offline.notes) lines.push(`note: ${n}`);
  return lines.flatMap((l) => wrapLine(l, columns, [" "], l.startsWith("  - ") ? "    " : "  ")).join("\n") + "\n";
}

export function renderCompareMarkdown(c: Comparison): string {
  const lines = [`### ${compareHeader(c)}`, "", `| | offline (transformers, ${c.offline.attn}) | vLLM ${c.vllm.engine.vllmVersion} |`, "|---|---:|---:|"];
  for (const [a, b, d] of compareRows(c)) lines.push(`| ${a.trim()} | ${b} | ${d} |`);
  lines.push("", "**Why they differ**", "");
  for (const w of c.why) lines.push(`- ${whyMessage(w, c)}`);
  if (c.levers.length) {
    lines.push("", "**Levers** (cumulative)", "");
    for (const l of c.levers) lines.push(`- ${leverText(l)}`);
  }
  for (const n of c.offline.notes) lines.push("", `_note: ${n}_`);
  return lines.join("\n") + "\n";
}

export function compareToJsonObject(c: Comparison): object {
  return {
    workload: c.workload,
    offline: c.offline,
    offlineFits: c.offlineFits,
    vllm: planToJsonObject(c.vllm),
    vllmUsedBytes: c.vllmUsedBytes,
    differenceBytes: c.differenceBytes,
    why: c.why.map((w) => ({ ...w, message: whyMessage(w, c) })),
    levers: c.levers,
    closest: c.closest,
  };
}

export function renderCompareJson(c: Comparison): string {
  return JSON.stringify(compareToJsonObject(c), null, 2) + "\n";
}
