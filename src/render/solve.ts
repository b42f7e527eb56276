// `vram-plan solve` output: the flags found (text or markdown table), the `vllm serve` line, or JSON.
import type { SolveResult } from "../core/solve.js";
import type { GpuProfile } from "../core/types.js";
import { gib, thousands, wrapLine } from "./format.js";

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

/** POSIX-shell quoting: bare when safe, else single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
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
  let i = 3;
  while (i < argv.length) {
    const flag = argv[i] ?? "";
    const next = argv[i + 1];
    const takesValue = next !== undefined && !next.startsWith("--");
    out.push(`  ${commandLine(takesValue ? [flag, next] : [flag])}`);
    i += takesValue ? 2 : 1;
  }
  return out.map((l, k) => (k < out.length - 1 ? `${l} \\` : l));
}

export function renderSolveText(s: SolveOutcome, markdown = false, columns = 80): string {
  const r = s.result;
  const out: string[] = [];
  const targetText = `${r.concurrency > 1 ? `${r.concurrency} concurrent requests of ` : "one request of "}${thousands(r.context)} tokens`;
  const vllm = r.plan?.engine.vllmVersion ?? r.flags.vllmVersion;
  out.push(`${markdown ? "### " : ""}vram-plan solve: ${s.modelId} on ${s.gpu.name} (${gib(s.gpu.cudaTotalBytes)} GiB)${vllm ? `, vLLM ${vllm}` : ""}`);
  out.push(`${markdown ? "\n" : ""}target: ${targetText}${r.flags.limitMmPerPrompt?.["image"] !== undefined ? `, ${r.flags.limitMmPerPrompt["image"]} image(s) per prompt` : ""}`);
  out.push("");
  if (!r.found || !r.layout || !r.plan) {
    out.push(`Nothing fits: ${r.reason ?? "no configuration meets the target"}.`);
    return out.flatMap((l) => (markdown ? [l] : wrapLine(l, columns, [" "]))).join("\n") + "\n";
  }
  const l = r.layout;
  const rows: [string, string, string][] = [
    ["tensor-parallel-size", String(l.tensorParallelSize), `smallest that starts and meets the target${l.pipelineParallelSize > 1 ? ` (with pipeline-parallel-size ${l.pipelineParallelSize}: ${l.gpus} GPUs)` : ""}`],
    ["gpu-memory-utilization", r.gpuMemoryUtilization.toFixed(2), "smallest that meets the target"],
    ["max-model-len", thousands(r.maxModelLen), "the context asked for"],
    ["max-num-seqs", thousands(r.maxNumSeqs), "largest round value that meets the target"],
    ["kv-cache-dtype", l.kvCacheDtype, r.fp8KvCacheNeeded ? "fp8 KV cache needed" : "fp8 KV cache not needed"],
    ["quantization", l.quantization ?? "as the checkpoint", r.quantizationNeeded ? "a quantized checkpoint (or --quantization fp8) needed" : "no quantization needed"],
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
  for (const alt of r.alternatives) out.push(`${markdown ? "\n" : ""}  alternative: with ${alt.precision}, ${alt.gpus} GPU${alt.gpus > 1 ? "s" : ""} (tensor-parallel-size ${alt.tensorParallelSize}${alt.pipelineParallelSize > 1 ? `, pipeline-parallel-size ${alt.pipelineParallelSize}` : ""})`);
  const kvMin = Math.min(...r.plan.perGpu.map((g) => g.kvCacheBytes));
  out.push("");
  out.push(`KV cache ${gib(kvMin)} GiB per GPU, ${thousands(r.plan.kvCache.tokens)} tokens: ${r.concurrencyAtContext.toFixed(2)} concurrent requests of ${thousands(r.context)} tokens (${r.plans} configurations planned).`);
  out.push(
    r.marginBytes > 0
      ? `Margin: the target is met with ${gib(r.marginBytes)} GiB less KV cache per GPU than planned (the planner's measured error; --margin to change).`
      : "Margin: none (--margin 0): sized to the target exactly.",
  );
  out.push("");
  if (markdown) {
    out.push("```sh", s.command ?? "", "```");
    return out.join("\n") + "\n";
  }
  const text = out.flatMap((l) => wrapLine(l, columns, [" "]));
  text.push(...(s.argv ? commandLines(s.argv, columns) : [s.command ?? ""]));
  return text.join("\n") + "\n";
}

export function solveToJsonObject(s: SolveOutcome): object {
  const r = s.result;
  return {
    found: r.found,
    model: s.model,
    gpu: s.gpu.id,
    target: { context: r.context, concurrency: r.concurrency, imagesPerPrompt: r.flags.limitMmPerPrompt?.["image"] ?? null },
    tensorParallelSize: r.layout?.tensorParallelSize ?? null,
    pipelineParallelSize: r.layout?.pipelineParallelSize ?? null,
    gpus: r.layout?.gpus ?? null,
    gpuMemoryUtilization: r.found ? r.gpuMemoryUtilization : null,
    maxModelLen: r.found ? r.maxModelLen : null,
    maxNumSeqs: r.found ? r.maxNumSeqs : null,
    kvCacheDtype: r.layout?.kvCacheDtype ?? null,
    quantization: r.layout?.quantization ?? null,
    fp8KvCacheNeeded: r.fp8KvCacheNeeded,
    quantizationNeeded: r.quantizationNeeded,
    alternatives: r.alternatives,
    concurrencyAtContext: r.found ? r.concurrencyAtContext : null,
    marginBytes: r.marginBytes,
    kvCacheTokens: r.plan?.kvCache.tokens ?? null,
    argv: s.argv,
    command: s.command,
    reason: r.reason,
    plans: r.plans,
  };
}

