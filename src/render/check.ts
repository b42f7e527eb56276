// `vram-plan check` output: one line per deployment and a summary (terminal), a table for a CI
// job summary (markdown), or JSON. Reasons are short; vLLM's own wording is in JSON and markdown.
import type { ChalkInstance } from "chalk";
import type { CheckEntry } from "../core/check.js";
import type { Failure, FixOption } from "../core/solve.js";
import type { Plan } from "../core/types.js";
import { gib, thousands } from "./format.js";
import { messageFor } from "./messages.js";
import { planToJsonObject } from "./json.js";

const t = thousands;

/** One failure in a few words (the numbers that matter). */
export function failureText(f: Failure, plan: Plan): string {
  switch (f.kind) {
    case "start": {
      const d = f.diagnostic;
      const a = d.args;
      const num = (k: string): number => Number(a[k] ?? 0);
      switch (d.code) {
        case "KV_CACHE_BELOW_MAX_MODEL_LEN":
          return `does not start: KV cache ${gib(num("available"))} GiB < ${gib(num("needed"))} GiB for one ${t(num("maxModelLen"))}-token request (vLLM's estimated maximum model length: ${t(num("estimatedMaxModelLen"))})`;
        case "NO_KV_CACHE_MEMORY": {
          const g = plan.perGpu[0];
          const w = g ? `weights ${gib(g.weightsBytes)} GiB + activations ${gib(g.activationPeakBytes)} GiB` : "weights and activations";
          return `does not start: no memory left for the KV cache (${w} vs a budget of ${g ? gib(g.requestedBytes) : "?"} GiB at utilization ${plan.engine.gpuMemoryUtilization})`;
        }
        case "FREE_MEMORY_BELOW_BUDGET":
          return `does not start: ${gib(num("free"))} GiB free at start-up < ${gib(num("requested"))} GiB asked for (utilization ${a["util"]})`;
        default:
          return `does not start: ${messageFor(d, plan)}`;
      }
    }
    case "gpus":
      return `needs ${f.need} GPUs (tensor × pipeline × data parallel), the deployment has ${f.have}`;
    case "context":
      return `max-model-len ${t(f.have)} < required context ${t(f.need)}`;
    case "concurrency":
      return `${f.have.toFixed(2)} concurrent requests of ${t(f.len)} tokens < ${f.need} required${f.limitedBy === "max-num-seqs" ? " (capped by max-num-seqs)" : ""}`;
    case "utilization":
      return `--gpu-memory-utilization ${f.have} > ${f.max} allowed`;
    case "headroom":
      return `${gib(f.have)} GiB left free per GPU < ${gib(f.need)} GiB headroom required`;
  }
}

/** "--kv-cache-dtype fp8 or --tensor-parallel-size 2 (needs 2 GPUs)". */
export function fixesText(fixes: readonly FixOption[]): string {
  return fixes
    .map((f) => {
      const flags = f.changes.map((c) => (c.value === "" ? c.flag : `${c.flag} ${/[\s{"'\[]/.test(c.value) ? `'${c.value}'` : c.value}`)).join(" ");
      return f.note ? `${flags} (${f.note})` : flags;
    })
    .join(" or ");
}

function noFix(e: CheckEntry): string {
  const onlyGpus = e.evaluation.failures.every((f) => f.kind === "gpus");
  if (onlyGpus) {
    const g = e.evaluation.failures[0];
    return g && g.kind === "gpus" ? `give it ${g.need} GPUs` : "give it more GPUs";
  }
  return `no single flag change is enough; try vram-plan solve --model ${e.model} --gpu ${e.gpu.id}${e.target.context !== undefined ? ` --context ${e.target.context}` : ""}${e.target.concurrency ? ` --concurrency ${e.target.concurrency.n}` : ""}`;
}

function what(e: CheckEntry): string {
  const ev = e.evaluation;
  const p = ev.plan;
  const parts = [
    `KV ${gib(Math.max(0, Math.min(...p.perGpu.map((g) => g.kvCacheBytes))))} GiB`,
    `${t(p.kvCache.tokens)} tokens`,
    `${p.kvCache.maxConcurrency.toFixed(2)}x at ${t(p.engine.maxModelLen)}`,
  ];
  if (e.target.concurrency && ev.concurrencyLen !== p.engine.maxModelLen) parts.push(`${ev.concurrency.toFixed(2)}x at ${t(ev.concurrencyLen)}`);
  parts.push(`util ${p.engine.gpuMemoryUtilization}`, `${gib(ev.minFreeBytes)} GiB free`);
  return parts.join(", ");
}

function summary(entries: readonly CheckEntry[]): string {
  const bad = entries.filter((e) => !e.evaluation.ok).length;
  const n = entries.length;
  const s = n === 1 ? "" : "s";
  return bad === 0
    ? `${n} deployment${s} checked: all start and meet their constraints.`
    : `${n} deployment${s} checked: ${bad} ${bad === 1 ? "fails" : "fail"}, ${n - bad} ${n - bad === 1 ? "passes" : "pass"}.`;
}

export function renderCheckTable(entries: readonly CheckEntry[], c: ChalkInstance): string {
  const out: string[] = [];
  for (const e of entries) {
    const ev = e.evaluation;
    const head = `${e.file}:${e.line} ${e.name} — ${e.model} on ${ev.gpusUsed}× ${e.gpu.id}`;
    if (ev.ok) out.push(`${c.green("ok  ")} ${head}: ${what(e)}`);
    else {
      const reasons = ev.failures.map((f) => failureText(f, ev.plan)).join("; ");
      const fix = e.fixes.length ? fixesText(e.fixes) : noFix(e);
      out.push(`${c.red("FAIL")} ${head}: ${reasons} — fix: ${fix}`);
    }
  }
  out.push(summary(entries));
  return out.join("\n") + "\n";
}

const md = (s: string): string => s.replace(/\|/g, "\\|");

export function renderCheckMarkdown(entries: readonly CheckEntry[]): string {
  const out: string[] = [];
  const bad = entries.filter((e) => !e.evaluation.ok).length;
  out.push(`### ${bad === 0 ? "✅" : "❌"} vram-plan check`);
  out.push("");
  out.push("| | deployment | model | GPUs | KV cache | concurrency | result |");
  out.push("|---|---|---|---|---:|---:|---|");
  for (const e of entries) {
    const ev = e.evaluation;
    const p = ev.plan;
    const kv = `${gib(Math.max(0, Math.min(...p.perGpu.map((g) => g.kvCacheBytes))))} GiB, ${t(p.kvCache.tokens)} tokens`;
    const conc = `${ev.concurrency.toFixed(2)}x at ${t(ev.concurrencyLen)}`;
    const result = ev.ok
      ? "starts; constraints met"
      : `${ev.failures.map((f) => failureText(f, p)).join("; ")}. **Fix:** ${e.fixes.length ? e.fixes.map((f) => `\`${fixesText([{ changes: f.changes }])}\`${f.note ? ` (${f.note})` : ""}`).join(" or ") : noFix(e)}`;
    out.push(`| ${ev.ok ? "✅" : "❌"} | \`${md(e.file)}:${e.line}\` ${md(e.name)} | ${md(e.model)} | ${ev.gpusUsed} × ${md(e.gpu.id)} | ${kv} | ${conc} | ${md(result)} |`);
  }
  out.push("");
  out.push(`**${summary(entries)}**`);
  const withNotes = entries.filter((e) => e.notes.length > 0 || e.evaluation.failures.some((f) => f.kind === "start"));
  if (withNotes.length) {
    out.push("");
    out.push("<details><summary>Details</summary>");
    out.push("");
    for (const e of withNotes) {
      for (const f of e.evaluation.failures) if (f.kind === "start") out.push(`- \`${md(e.file)}:${e.line}\` ${md(e.name)}: vLLM: ${md(messageFor(f.diagnostic, e.evaluation.plan))}`);
      for (const n of e.notes) out.push(`- \`${md(e.file)}:${e.line}\` ${md(e.name)}: ${md(n)}`);
    }
    out.push("");
    out.push("</details>");
  }
  return out.join("\n") + "\n";
}

export function checkToJsonObject(entries: readonly CheckEntry[]): object {
  const bad = entries.filter((e) => !e.evaluation.ok).length;
  return {
    ok: bad === 0,
    summary: { deployments: entries.length, passing: entries.length - bad, failing: bad },
    deployments: entries.map((e) => {
      const ev = e.evaluation;
      const { explain: _explain, ...plan } = planToJsonObject(ev.plan) as Record<string, unknown>;
      return {
        file: e.file,
        line: e.line,
        name: e.name,
        model: e.model,
        gpu: e.gpu.id,
        gpuName: e.gpu.name,
        gpuCount: e.gpuCount,
        gpusUsed: ev.gpusUsed,
        ok: ev.ok,
        constraints: e.targetText,
        concurrency: { requests: ev.concurrency, tokensPerRequest: ev.concurrencyLen },
        minFreeBytes: ev.minFreeBytes,
        failures: ev.failures.map((f) => ({
          kind: f.kind,
          message: failureText(f, ev.plan),
          ...(f.kind === "start" ? { code: f.diagnostic.code, vllmMessage: messageFor(f.diagnostic, ev.plan) } : {}),
        })),
        fixes: e.fixes.map((f) => ({ flags: f.changes, ...(f.note ? { note: f.note } : {}), text: fixesText([f]) })),
        args: e.args,
        notes: e.notes,
        plan,
      };
    }),
  };
}

export function renderCheckJson(entries: readonly CheckEntry[]): string {
  return JSON.stringify(checkToJsonObject(entries), null, 2) + "\n";
}
