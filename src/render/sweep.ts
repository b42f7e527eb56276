// Sweep results as a plain column table (fast for many rows) or JSON.
import type { SweepResult, SweepRow } from "../core/sweep.js";
import { gib, thousands } from "./format.js";

const SHORT: Record<string, string> = {
  KV_CACHE_BELOW_MAX_MODEL_LEN: "KV cache < one max-model-len request",
  NO_KV_CACHE_MEMORY: "no memory for the KV cache",
  FREE_MEMORY_BELOW_BUDGET: "free memory < budget",
  HEADS_NOT_DIVISIBLE_BY_TP: "heads not divisible by TP",
  KV_HEADS_NOT_DIVISIBLE: "KV heads not divisible by TP",
  MAX_MODEL_LEN_ABOVE_DERIVED: "max-model-len > model maximum",
  LAYERS_FEWER_THAN_PP: "fewer layers than PP",
  MAX_NUM_SEQS_ABOVE_BATCHED_TOKENS: "max-num-seqs > max-num-batched-tokens",
  BF16_UNSUPPORTED: "no bf16 on this GPU",
  KV_CACHE_DTYPE_UNSUPPORTED: "KV cache dtype not usable here",
};

export interface SweepMeta {
  model: string;
  /** The GPU when not swept. */
  gpu: string | null;
  /** Whether each row's tensor-parallel size was searched (smallest that starts). */
  searchedTp: boolean;
}

function cells(r: SweepRow, res: SweepResult, meta: SweepMeta): string[] {
  const out: string[] = [];
  for (const k of res.axes) {
    if (k === "gpu") out.push(r.gpu);
    else if (k === "max-model-len") out.push(thousands(r.maxModelLen));
    else if (k === "gpu-memory-utilization") out.push(r.gpuMemoryUtilization.toFixed(2));
    else if (k === "tensor-parallel-size") out.push(String(r.tensorParallelSize));
    else if (k === "max-num-seqs") out.push(String(r.maxNumSeqs));
    else out.push(r.kvCacheDtype);
  }
  if (meta.searchedTp) out.push(r.fits ? String(r.gpus) : `> ${r.gpus}`);
  out.push(r.fits ? "yes" : "no");
  out.push(gib(r.kvCacheBytes));
  out.push(thousands(r.kvTokens));
  out.push(`${r.maxConcurrency.toFixed(2)}x`);
  out.push(r.fits ? "" : r.error === "KV_CACHE_BELOW_MAX_MODEL_LEN" ? `KV cache holds ${thousands(r.estimatedMaxModelLen)} tokens` : (SHORT[r.error ?? ""] ?? r.error ?? ""));
  return out;
}

export function renderSweepTable(res: SweepResult, meta: SweepMeta): string {
  const head: string[] = [...res.axes];
  if (meta.searchedTp) head.push("GPUs");
  head.push("starts", "KV GiB/GPU", "KV tokens", "concurrency", "why not");
  const rows = res.rows.map((r) => cells(r, res, meta));
  const width = head.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? "").length), h.length));
  const numeric = head.map((h, i) => i < res.axes.length ? res.axes[i] !== "gpu" && res.axes[i] !== "kv-cache-dtype" : h !== "starts" && h !== "why not");
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === r.length - 1 ? c : numeric[i] ? c.padStart(width[i] ?? 0) : c.padEnd(width[i] ?? 0))).join("  ").trimEnd();
  const out: string[] = [];
  const fits = res.rows.filter((r) => r.fits).length;
  out.push(`${meta.model}${meta.gpu ? ` on ${meta.gpu}` : ""}: ${thousands(res.configurations)} configuration${res.configurations === 1 ? "" : "s"}, ${thousands(fits)} start${meta.searchedTp ? " (GPUs: smallest tensor-parallel size that starts, of 1, 2, 4, 8)" : ""}`);
  out.push(line(head));
  for (const r of rows) out.push(line(r));
  return out.join("\n") + "\n";
}

export function sweepToJsonObject(res: SweepResult, meta: SweepMeta): object {
  return {
    model: meta.model,
    gpu: meta.gpu,
    axes: res.axes,
    searchedTensorParallel: meta.searchedTp,
    configurations: res.configurations,
    plans: res.plans,
    starting: res.rows.filter((r) => r.fits).length,
    rows: res.rows,
  };
}

export function renderSweepJson(res: SweepResult, meta: SweepMeta): string {
  return JSON.stringify(sweepToJsonObject(res, meta), null, 2) + "\n";
}

/** Markdown: the same table as a fenced block (its columns are aligned for a fixed-width font). */
export function renderSweepMarkdown(res: SweepResult, meta: SweepMeta): string {
  return "```text\n" + renderSweepTable(res, meta) + "```\n";
}
