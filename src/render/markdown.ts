// GitHub-flavored markdown of the same plan (for CI job summaries and issues).
import type { Plan } from "../core/types.js";
import { gib, gpuLayout, thousands, concurrencyText } from "./format.js";
import { fixEntries, flagsText, messageFor } from "./messages.js";
import { WHAT_IF_ALONE_FAILS, WHAT_IF_LABELS, budgetRows, planSettings, whatIfGain, hostText, plannedWith, shownWhatIfs, stageColumns, stageLabel, type BudgetCell } from "./table.js";

export function renderMarkdown(plan: Plan): string {
  const engine = plan.engine;
  const out: string[] = [];
  out.push(`### ${plan.fits ? "✅" : "❌"} ${plan.model.id} on ${plan.gpu.count} × ${plan.gpu.name}${gpuLayout(plan)} (vLLM ${engine.vllmVersion}${plannedWith(plan)})`);
  out.push("");
  out.push(planSettings(plan).join(", "));
  out.push("");
  const groups = stageColumns(plan);
  out.push(`| GiB | ${groups.map((col) => stageLabel(plan, col)).join(" | ")} |`);
  out.push(`|---|${groups.map(() => "---:").join("|")}|`);
  for (const row of budgetRows(plan)) {
    // The KV cache, what the plan is for, in bold; the pass an activation peak comes from in parentheses.
    const bold = (text: string): string => (row.kind === "kv" ? `**${text}**` : text);
    const figure = (cell: BudgetCell): string => bold(cell.note === undefined ? cell.text : `${cell.text} (${cell.note})`);
    out.push(`| ${bold(row.label)} | ${groups.map((col) => figure(row.cell(col.g))).join(" | ")} |`);
  }
  out.push("");
  const kv = plan.kvCache;
  out.push(`KV cache: ${thousands(kv.numGpuBlocks)} blocks of ${kv.blockSize} tokens, ${thousands(kv.tokens)} tokens, maximum concurrency ${concurrencyText(kv.maxConcurrency)} at ${thousands(engine.maxModelLen)} tokens.`);
  if (plan.host) out.push("", `Host memory: ${hostText(plan.host)}.`);
  const whatIfs = shownWhatIfs(plan);
  if (whatIfs.length) {
    out.push("");
    out.push("| what if | KV cache GiB | gain GiB | KV tokens | concurrency | flags |");
    out.push("|---|---:|---:|---:|---:|---|");
    for (const w of whatIfs) out.push(`| ${WHAT_IF_LABELS[w.code]} | ${gib(w.kvCacheBytes)} | ${whatIfGain(w)} | ${thousands(w.kvTokens)} | ${concurrencyText(w.maxConcurrency)} | \`${flagsText(w.flags)}\`${w.fits ? "" : ` ${WHAT_IF_ALONE_FAILS}`} |`);
  }
  if (plan.diagnostics.length) {
    out.push("");
    for (const diagnostic of plan.diagnostics) {
      const fx = fixEntries(diagnostic);
      out.push(`- **${diagnostic.severity}** \`${diagnostic.code}\`: ${messageFor(diagnostic, plan)}${fx.length ? ` Fix (any one, cheapest first): ${fx.map((f) => `\`${f}\``).join(", ")}` : ""}`);
    }
  }
  return out.join("\n") + "\n";
}
