// The budget table for a terminal: one column per pipeline stage (its TP ranks share the numbers),
// a stacked bar of each GPU's memory, the KV-cache arithmetic, and the verdicts with their fixes.
import Table from "cli-table3";
import type { ChalkInstance } from "chalk";
import type { GpuBudget, Plan } from "../core/types.js";
import { gib, thousands } from "./format.js";
import { fixText, messageFor } from "./messages.js";

export const WHAT_IF_LABELS: Record<Plan["whatIf"][number]["code"], string> = {
  ONE_IMAGE_NO_VIDEO: "one image per prompt, no video",
  SMALLER_MAX_PIXELS: "images capped at 1280 tokens",
  HALF_BATCHED_TOKENS: "half the max-num-batched-tokens",
  TEXT_ONLY: "text only (no vision tower)",
};

export interface TableOptions {
  chalk: ChalkInstance;
  width?: number;
}

interface Segment {
  key: string;
  label: string;
  bytes: (g: GpuBudget) => number;
  color: (c: ChalkInstance) => (s: string) => string;
  ch: string;
}

const SEGMENTS: Segment[] = [
  { key: "weights", label: "weights", bytes: (g) => g.weightsBytes, color: (c) => c.blue, ch: "█" },
  { key: "activation", label: "activation peak", bytes: (g) => g.activationPeakBytes, color: (c) => c.magenta, ch: "▓" },
  { key: "nonTorch", label: "non-torch", bytes: (g) => g.nonTorchBytes, color: (c) => c.yellow, ch: "▒" },
  { key: "graphs", label: "CUDA graphs", bytes: (g) => (g.cudaGraphInBudget ? g.cudaGraphBytes : 0), color: (c) => c.cyan, ch: "░" },
  { key: "kv", label: "KV cache", bytes: (g) => Math.max(0, g.kvCacheBytes), color: (c) => c.green, ch: "■" },
  { key: "outside", label: "outside the budget", bytes: (g) => g.outsideBudgetBytes, color: (c) => c.gray, ch: "·" },
];

/** A bar of `width` cells, each segment rounded so the cells add up exactly. */
export function stackedBar(g: GpuBudget, width: number, c: ChalkInstance): string {
  const total = g.totalBytes;
  let acc = 0;
  let used = 0;
  let out = "";
  for (const s of SEGMENTS) {
    acc += Math.max(0, s.bytes(g));
    const end = Math.min(width, Math.round((acc / total) * width));
    const cells = Math.max(0, end - used);
    used += cells;
    out += s.color(c)(s.ch.repeat(cells));
  }
  return out + " ".repeat(Math.max(0, width - used));
}

function stageHeader(plan: Plan, g: GpuBudget): string {
  const r = g.ranks;
  const ranks = r.length === 1 ? `GPU ${r[0]}` : `GPUs ${r[0]}–${r[r.length - 1]}`;
  return plan.perGpu.length > 1 ? `${ranks} (stage ${g.ppStage})` : r.length > 1 ? `${ranks} (each)` : ranks;
}

export function renderTable(plan: Plan, o: TableOptions): string {
  const c = o.chalk;
  const e = plan.engine;
  const lines: string[] = [];
  const verdict = plan.fits ? c.green.bold("STARTS") : c.red.bold("WILL NOT START");
  lines.push(
    `${c.bold(plan.model.id)} on ${plan.gpu.count} × ${plan.gpu.name} — vLLM ${e.vllmVersion} (${e.engine.toUpperCase()}): ${verdict}`,
  );
  lines.push(
    c.dim(
      `utilization ${e.gpuMemoryUtilization} · max-model-len ${thousands(e.maxModelLen)} · max-num-seqs ${e.maxNumSeqs} · max-num-batched-tokens ${thousands(e.maxNumBatchedTokens)} · ${e.dtype}` +
        `${plan.model.quantization !== "none" ? ` · ${plan.model.quantization}` : ""} · KV ${e.kvCacheDtype}${e.cudaGraphs ? "" : " · eager"}`,
    ),
  );
  const head = ["GiB per GPU", ...plan.perGpu.map((g) => stageHeader(plan, g))];
  const t = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" }, colAligns: ["left", ...plan.perGpu.map(() => "right" as const)] });
  const row = (label: string, f: (g: GpuBudget) => string): void => {
    t.push([label, ...plan.perGpu.map(f)]);
  };
  row("GPU memory (CUDA total)", (g) => gib(g.totalBytes));
  const fixedKv = plan.perGpu.some((g) => g.kvCacheMemoryFixed);
  row(fixedKv ? "vLLM use (--kv-cache-memory)" : `vLLM budget (× ${e.gpuMemoryUtilization})`, (g) => c.bold(gib(g.budgetBytes)));
  row(c.blue("  weights"), (g) => gib(g.weightsBytes));
  row(c.magenta(`  activation peak`), (g) => `${gib(g.activationPeakBytes)} ${c.dim(`(${g.activationPhase})`)}`);
  if (plan.encoder) row(c.magenta("    of which vision encoder"), (g) => (g.ppStage === 0 ? gib(g.encoderPeakBytes) : "–"));
  row(c.yellow("  non-torch memory"), (g) => gib(g.nonTorchBytes));
  row(c.cyan(e.cudaGraphEstimateSubtracted ? "  CUDA graphs (estimate)" : "  CUDA graphs (outside budget)"), (g) => (e.cudaGraphs ? gib(g.cudaGraphBytes) : "–"));
  row(c.green.bold("  KV cache"), (g) => (g.kvCacheBytes < 0 ? c.red(gib(g.kvCacheBytes)) : c.green.bold(gib(g.kvCacheBytes))));
  row(c.gray("outside the budget"), (g) => gib(g.outsideBudgetBytes));
  row(c.gray("  CUDA context + NCCL"), (g) => gib(g.cudaContextBytes + g.ncclBytes));
  row("nvidia-smi will show ≈", (g) => gib(g.expectedUsedBytes));
  lines.push(t.toString());

  const width = o.width ?? 60;
  lines.push("");
  const labelWidth = Math.max(16, ...plan.perGpu.map((g) => stageHeader(plan, g).length));
  for (const g of plan.perGpu) lines.push(`${stageHeader(plan, g).padEnd(labelWidth)} ${stackedBar(g, width, c)}`);
  lines.push(" ".repeat(labelWidth + 1) + SEGMENTS.map((s) => s.color(c)(`${s.ch} ${s.label}`)).join("  "));

  const kv = plan.kvCache;
  lines.push("");
  lines.push(c.bold("KV cache"));
  lines.push(`  ${thousands(kv.bytesPerToken)} bytes per token per GPU · block ${kv.blockSize} tokens · page ${thousands(kv.pageSizeBytes)} B · ${kv.numGroups} group(s) of ${kv.groupSize} layers`);
  lines.push(`  GPU blocks: ${thousands(kv.numGpuBlocks)} · GPU KV cache size: ${thousands(kv.tokens)} tokens`);
  lines.push(`  Maximum concurrency for ${thousands(e.maxModelLen)} tokens per request: ${kv.maxConcurrency.toFixed(2)}x`);
  if (plan.encoder) {
    const en = plan.encoder;
    lines.push("");
    lines.push(c.bold("Vision encoder profile"));
    lines.push(
      `  ${en.items} ${en.modality} item(s) of ${thousands(en.tokensPerItem)} tokens (${en.itemWidth}×${en.itemHeight}${en.modality === "video" ? `, ${thousands(en.patchesPerItem)} patches` : ""}), budget ${thousands(en.budgetTokens)} tokens → encoder peak ${gib(plan.perGpu[0]?.encoderPeakBytes ?? 0)} GiB`,
    );
  }
  if (plan.whatIf.length > 0) {
    lines.push("");
    lines.push(c.bold("What if (re-planned with one lever changed)"));
    for (const w of plan.whatIf) {
      const gain = w.kvGainBytes >= 0 ? c.green(`+${gib(w.kvGainBytes)}`) : c.red(gib(w.kvGainBytes));
      lines.push(`  ${WHAT_IF_LABELS[w.code].padEnd(34)} ${gain} GiB KV → ${thousands(w.kvTokens)} tokens, ${w.maxConcurrency.toFixed(2)}x   ${c.dim(w.flags.map((f) => `${f.flag} '${f.value}'`).join(" "))}`);
    }
  }
  if (plan.diagnostics.length > 0) {
    lines.push("");
    for (const d of plan.diagnostics) {
      const tag = d.severity === "error" ? c.red.bold("error") : d.severity === "warning" ? c.yellow.bold("warning") : c.blue("info");
      lines.push(`${tag} ${c.dim(d.code)}: ${messageFor(d, plan)}`);
      const fx = fixText(d);
      if (fx) lines.push(`  ${c.bold("fix:")} ${fx}`);
    }
  }
  return lines.join("\n") + "\n";
}
