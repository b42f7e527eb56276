// `vram-plan solve` output: the flags found (text or markdown table), the `vllm serve` line, or JSON.
import type { SolveResult } from "../core/solve.js";
import type { GpuProfile } from "../core/types.js";
import { thousands, wrapLine, gibText } from "./format.js";
import { shellWord } from "./messages.js";

/** What solve found, as the renderers take it. */
export interface SolveOutcome {
  result: SolveResult;
  model: string;
  modelId: string;
  gpu: GpuProfile;
  /** The `vllm serve` words (null when nothing fits). */
  argv: string[] | null;
  command: string | null;
}

/** The words of a command as one line a POSIX shell reads back (messages.ts shellWord). */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(" ");
}

/**
 * The `vllm serve` line for a terminal: one line when it fits, else one flag per line with
 * backslash continuations, which a POSIX shell reads back as the same single command.
 */
export function commandLines(argv: readonly string[], columns: number): string[] {
  const one = commandLine(argv);
  if (one.length <= columns) return [one];
  const head = commandLine(argv.slice(0, 3));
  const out: string[] = [head];
  let at = 3;
  while (at < argv.length) {
    const flag = argv[at] ?? "";
    const next = argv[at + 1];
    const takesValue = next !== undefined && !next.startsWith("--");
    out.push(`  ${commandLine(takesValue ? [flag, next] : [flag])}`);
    at += takesValue ? 2 : 1;
  }
  return out.map((l, k) => (k < out.length - 1 ? `${l} \\` : l));
}

export function renderSolveText(outcome: SolveOutcome, markdown = false, columns = 80): string {
  const result = outcome.result;
  const out: string[] = [];
  const targetText = `${result.concurrency > 1 ? `${result.concurrency} concurrent requests of ` : "one request of "}${thousands(result.context)} tokens`;
  const vllm = result.plan?.engine.vllmVersion ?? result.flags.vllmVersion;
  out.push(`${markdown ? "### " : ""}vram-plan solve: ${outcome.modelId} on ${outcome.gpu.name} (${gibText(outcome.gpu.cudaTotalBytes)})${vllm ? `, vLLM ${vllm}` : ""}`);
  out.push(`${markdown ? "\n" : ""}target: ${targetText}${result.flags.limitMmPerPrompt?.["image"] !== undefined ? `, ${result.flags.limitMmPerPrompt["image"]} image(s) per prompt` : ""}`);
  out.push("");
  if (!result.found || !result.layout || !result.plan) {
    out.push(`Nothing fits: ${result.reason ?? "no configuration meets the target"}.`);
    return out.flatMap((l) => (markdown ? [l] : wrapLine(l, columns, [" "]))).join("\n") + "\n";
  }
  const layout = result.layout;
  const rows: [string, string, string][] = [
    ["tensor-parallel-size", String(layout.tensorParallelSize), `smallest that starts and meets the target${layout.pipelineParallelSize > 1 ? ` (with pipeline-parallel-size ${layout.pipelineParallelSize}: ${layout.gpus} GPUs)` : ""}`],
    ["gpu-memory-utilization", result.gpuMemoryUtilization.toFixed(2), "smallest that meets the target"],
    ["max-model-len", thousands(result.maxModelLen), "the context asked for"],
    ["max-num-seqs", thousands(result.maxNumSeqs), "largest round value that meets the target"],
    ["kv-cache-dtype", layout.kvCacheDtype, result.fp8KvCacheNeeded ? "fp8 KV cache needed" : "fp8 KV cache not needed"],
    ["quantization", layout.quantization ?? "as the checkpoint", result.quantizationNeeded ? "a quantized checkpoint (or --quantization fp8) needed" : "no quantization needed"],
  ];
  if (markdown) {
    out.push("| flag | value | why |");
    out.push("|---|---:|---|");
    for (const [a, b, c] of rows) out.push(`| \`--${a}\` | ${b} | ${c} |`);
  } else {
    const wa = Math.max(...rows.map((x) => x[0].length));
    const wb = Math.max(...rows.map((x) => x[1].length));
    for (const [a, b, c] of rows) out.push(...wrapLine(`  ${a.padEnd(wa)}  ${b.padEnd(wb)}  ${c}`, columns, [" "], " ".repeat(wa + wb + 6)));
  }
  for (const alt of result.alternatives) out.push(`${markdown ? "\n" : ""}  alternative: with ${alt.precision}, ${alt.gpus} GPU${alt.gpus > 1 ? "s" : ""} (tensor-parallel-size ${alt.tensorParallelSize}${alt.pipelineParallelSize > 1 ? `, pipeline-parallel-size ${alt.pipelineParallelSize}` : ""})`);
  const kvMin = Math.min(...result.plan.perGpu.map((g) => g.kvCacheBytes));
  out.push("");
  out.push(`KV cache ${gibText(kvMin)} per GPU, ${thousands(result.plan.kvCache.tokens)} tokens: ${result.concurrencyAtContext.toFixed(2)} concurrent requests of ${thousands(result.context)} tokens (${result.plans} configurations planned).`);
  out.push(
    result.marginBytes > 0
      ? `Margin: the target is met with ${gibText(result.marginBytes)} less KV cache per GPU than planned (the planner's measured error; --margin to change).`
      : "Margin: none (--margin 0): sized to the target exactly.",
  );
  out.push("");
  if (markdown) {
    out.push("```sh", outcome.command ?? "", "```");
    return out.join("\n") + "\n";
  }
  const text = out.flatMap((l) => wrapLine(l, columns, [" "]));
  text.push(...(outcome.argv ? commandLines(outcome.argv, columns) : [outcome.command ?? ""]));
  return text.join("\n") + "\n";
}

/** `solve --json`: the answer as JSON text, as every other command's JSON renderer writes it. */
export function renderSolveJson(outcome: SolveOutcome): string {
  return JSON.stringify(solveToJsonObject(outcome), null, 2) + "\n";
}

export function solveToJsonObject(outcome: SolveOutcome): object {
  const result = outcome.result;
  return {
    found: result.found,
    model: outcome.model,
    gpu: outcome.gpu.id,
    target: { context: result.context, concurrency: result.concurrency, imagesPerPrompt: result.flags.limitMmPerPrompt?.["image"] ?? null },
    tensorParallelSize: result.layout?.tensorParallelSize ?? null,
    pipelineParallelSize: result.layout?.pipelineParallelSize ?? null,
    gpus: result.layout?.gpus ?? null,
    gpuMemoryUtilization: result.found ? result.gpuMemoryUtilization : null,
    maxModelLen: result.found ? result.maxModelLen : null,
    maxNumSeqs: result.found ? result.maxNumSeqs : null,
    kvCacheDtype: result.layout?.kvCacheDtype ?? null,
    quantization: result.layout?.quantization ?? null,
    fp8KvCacheNeeded: result.fp8KvCacheNeeded,
    quantizationNeeded: result.quantizationNeeded,
    alternatives: result.alternatives,
    concurrencyAtContext: result.found ? result.concurrencyAtContext : null,
    marginBytes: result.marginBytes,
    kvCacheTokens: result.plan?.kvCache.tokens ?? null,
    argv: outcome.argv,
    command: outcome.command,
    reason: result.reason,
    plans: result.plans,
  };
}

