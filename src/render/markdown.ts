// GitHub-flavored markdown of the same plan (for CI job summaries and issues).
import type { GpuBudget, Plan } from "../core/types.js";
import { gib, nvidiaSmiShown, gpuLayout, thousands } from "./format.js";
import { fixEntries, messageFor, shellWord } from "./messages.js";
import { PHASE_LABELS, WHAT_IF_LABELS, hostText, outsideShown, plannedWith, shownWhatIfs, stageColumns } from "./table.js";

export function renderMarkdown(plan: Plan): string {
  const engine = plan.engine;
  const out: string[] = [];
  out.push(`### ${plan.fits ? "✅" : "❌"} ${plan.model.id} on ${plan.gpu.count} × ${plan.gpu.name}${gpuLayout(plan)} (vLLM ${engine.vllmVersion}${plannedWith(plan)})`);
  out.push("");
  out.push(`utilization ${engine.gpuMemoryUtilization}, max-model-len ${thousands(engine.maxModelLen)}, max-num-seqs ${engine.maxNumSeqs}, max-num-batched-tokens ${thousands(engine.maxNumBatchedTokens)}, ${engine.dtype}, KV ${engine.kvCacheDtype}`);
  out.push("");
  const groups = stageColumns(plan);
  const cols = groups.map((col) => (plan.perGpu.length === 1 ? "per GPU" : col.firstStage === col.lastStage ? `stage ${col.firstStage}` : `stages ${col.firstStage}–${col.lastStage}`));
  out.push(`| GiB | ${cols.join(" | ")} |`);
  out.push(`|---|${cols.map(() => "---:").join("|")}|`);
  const row = (label: string, f: (g: GpuBudget) => string): void => {
    out.push(`| ${label} | ${groups.map((col) => f(col.g)).join(" | ")} |`);
  };
  row("GPU memory (CUDA total)", (g) => gib(g.totalBytes));
  row(plan.perGpu.some((g) => g.kvCacheMemoryFixed) ? "vLLM use (--kv-cache-memory)" : `budget (× ${engine.gpuMemoryUtilization})`, (g) => gib(g.budgetBytes));
  row("weights", (g) => gib(g.weightsBytes));
  row("activation peak", (g) => `${gib(g.activationPeakBytes)} (${PHASE_LABELS[g.activationPhase]})`);
  if (plan.encoder) row("vision encoder pass alone", (g) => (g.ppStage === 0 ? gib(g.encoderPeakBytes) : "–"));
  row("non-torch memory", (g) => gib(g.nonTorchBytes));
  if (engine.cudaGraphEstimateSubtracted) row("CUDA graphs (estimate)", (g) => gib(g.cudaGraphBytes));
  row("**KV cache**", (g) => (g.kvShortfallBytes > 0 ? `**none (${gib(g.kvShortfallBytes)} short)**` : `**${gib(g.kvCacheBytes)}**`));
  row("outside the budget", (g) => outsideShown(g));
  if (!engine.cudaGraphEstimateSubtracted) row("CUDA graphs", (g) => gib(g.cudaGraphBytes));
  row("CUDA context + NCCL", (g) => gib(g.cudaContextBytes + g.ncclBytes));
  const others = plan.perGpu.some((g) => g.otherProcessBytes > 0);
  if (others) row("other processes", (g) => gib(g.otherProcessBytes));
  row(others ? "nvidia-smi will show ≈ (all)" : "nvidia-smi will show ≈", (g) => nvidiaSmiShown(g.expectedUsedBytes + g.otherProcessBytes, g.totalBytes, plan.fits));
  out.push("");
  const kv = plan.kvCache;
  out.push(`KV cache: ${thousands(kv.numGpuBlocks)} blocks of ${kv.blockSize} tokens, ${thousands(kv.tokens)} tokens, maximum concurrency ${kv.maxConcurrency.toFixed(2)}x at ${thousands(engine.maxModelLen)} tokens.`);
  if (plan.host) out.push("", `Host memory: ${hostText(plan.host)}.`);
  const whatIfs = shownWhatIfs(plan);
  if (whatIfs.length) {
    out.push("");
    out.push("| what if | KV cache GiB | gain GiB | KV tokens | concurrency | flags |");
    out.push("|---|---:|---:|---:|---:|---|");
    for (const w of whatIfs) out.push(`| ${WHAT_IF_LABELS[w.code]} | ${gib(w.kvCacheBytes)} | ${w.kvGainBytes >= 0 ? "+" : ""}${gib(w.kvGainBytes)} | ${thousands(w.kvTokens)} | ${w.maxConcurrency.toFixed(2)}x | \`${w.flags.map((f) => `${f.flag} ${shellWord(f.value)}`).join(" ")}\` |`);
  }
  if (plan.diagnostics.length) {
    out.push("");
    for (const d of plan.diagnostics) {
      const fx = fixEntries(d);
      out.push(`- **${d.severity}** \`${d.code}\`: ${messageFor(d, plan)}${fx.length ? ` Fix (any one, cheapest first): ${fx.map((f) => `\`${f}\``).join(", ")}` : ""}`);
    }
  }
  return out.join("\n") + "\n";
}
