// The budget table for a terminal: one column per pipeline stage (its TP ranks share the numbers),
// a stacked bar of each GPU's memory, the KV-cache arithmetic, and the verdicts with their fixes.
import type { ChalkInstance } from "chalk";
import type { GpuBudget, Plan } from "../core/types.js";
import { gib, nvidiaSmiShown, gpuLayout, thousands, visibleWidth, wrapLine, concurrencyText, gibText, signed } from "./format.js";
import { boxTable } from "./box.js";
import { gpuSegments, type BarSegment } from "./svg.js";
import { fixEntries, flagsText, messageFor } from "./messages.js";

export const WHAT_IF_LABELS: Record<Plan["whatIf"][number]["code"], string> = {
  ONE_IMAGE_NO_VIDEO: "one image per prompt, no video",
  ONE_IMAGE: "one image per prompt",
  SMALLER_MAX_PIXELS: "images capped at 1280 tokens",
  HALF_BATCHED_TOKENS: "half the max-num-batched-tokens",
  TEXT_ONLY: "text only (no vision tower)",
};

export interface TableOptions {
  chalk: ChalkInstance;
  /** Cells of the stacked bar (default 60, less when the terminal is narrow). */
  width?: number;
  /** Terminal width every line fits (render/format.ts outputColumns: COLUMNS, at least 80). */
  columns?: number;
}

/**
 * Which pass of vLLM's profile run sets the activation peak (GPUModelRunner.profile_run: the
 * encoder on its dummy items, the text forward of max_num_batched_tokens, the sampler warm-up);
 * the peak is the largest of the three, not their sum.
 */
export const PHASE_LABELS: Record<GpuBudget["activationPhase"], string> = {
  encoder: "encoder pass",
  text: "text pass",
  sampler: "sampler warm-up",
};

/** What-ifs worth a row: a lever that moves the KV cache by at least 0.01 GiB (shown to two decimals). */
export function shownWhatIfs(plan: Plan): Plan["whatIf"] {
  return plan.whatIf.filter((w) => Math.abs(w.kvGainBytes) >= 0.005 * 2 ** 30);
}

/** The settings a plan ran with, as its header lists them in every format: utilization, sizes, dtypes, eager. */
export function planSettings(plan: Plan): string[] {
  const engine = plan.engine;
  return [
    `utilization ${engine.gpuMemoryUtilization}`,
    `max-model-len ${thousands(engine.maxModelLen)}`,
    `max-num-seqs ${engine.maxNumSeqs}`,
    `max-num-batched-tokens ${thousands(engine.maxNumBatchedTokens)}`,
    engine.dtype,
    ...(plan.model.quantization !== "none" ? [plan.model.quantization] : []),
    `KV ${engine.kvCacheDtype}`,
    ...(engine.cudaGraphs ? [] : ["eager"]),
  ];
}

/** A what-if's KV cache gained per GPU, in GiB with its sign as format.ts signed writes one: "+1.25", "−0.50". */
export function whatIfGain(whatIf: Plan["whatIf"][number]): string {
  return signed(whatIf.kvGainBytes, gib(Math.abs(whatIf.kvGainBytes)));
}

/**
 * Beside a what-if that alone does not make the plan start, in every format: its figures (0.50x) read
 * as if it fixed the plan (the RTX 4090's Qwen2.5-VL-7B).
 */
export const WHAT_IF_ALONE_FAILS = "(alone: does not start)";

/** How the terminal draws a part of a GPU's memory: its legend label, character and color. */
interface BarStyle {
  label: string;
  ch: string;
  color: (c: ChalkInstance) => (s: string) => string;
}

/** The terminal's styles, in legend order; what vLLM's budget does not hold is one gray run. */
const BAR_STYLES = {
  weights: { label: "weights", ch: "█", color: (c) => c.blue },
  activation: { label: "activation peak", ch: "▓", color: (c) => c.magenta },
  nonTorch: { label: "non-torch", ch: "▒", color: (c) => c.yellow },
  graphs: { label: "CUDA graphs", ch: "░", color: (c) => c.cyan },
  kv: { label: "KV cache", ch: "■", color: (c) => c.green },
  outside: { label: "outside the budget", ch: "·", color: (c) => c.gray },
} satisfies Record<string, BarStyle>;

/** The style of one of svg.ts gpuSegments (the one list of a GPU's memory, in bar order). */
function barStyle(segment: BarSegment, budget: GpuBudget): BarStyle {
  switch (segment.key) {
    case "weights":
      return BAR_STYLES.weights;
    case "activation":
      return BAR_STYLES.activation;
    case "non-torch":
      return BAR_STYLES.nonTorch;
    case "cuda-graphs":
      return budget.cudaGraphInBudget ? BAR_STYLES.graphs : BAR_STYLES.outside;
    case "kv-cache":
      return BAR_STYLES.kv;
    default:
      // "outside" and "other-processes": outside the budget.
      return BAR_STYLES.outside;
  }
}

/** A bar of `width` cells, each part rounded so the cells add up exactly; neighbors of one style are one run. */
export function stackedBar(budget: GpuBudget, width: number, chalk: ChalkInstance): string {
  const total = budget.totalBytes;
  let acc = 0;
  let used = 0;
  let out = "";
  let run: { style: BarStyle; cells: number } | null = null;
  for (const segment of gpuSegments(budget, "")) {
    const style = barStyle(segment, budget);
    acc += Math.max(0, segment.bytes);
    const end = Math.min(width, Math.round((acc / total) * width));
    const cells = Math.max(0, end - used);
    used += cells;
    if (run && run.style === style) run.cells += cells;
    else {
      if (run) out += run.style.color(chalk)(run.style.ch.repeat(run.cells));
      run = { style, cells };
    }
  }
  if (run) out += run.style.color(chalk)(run.style.ch.repeat(run.cells));
  return out + " ".repeat(Math.max(0, width - used));
}

/** One column of the table: consecutive pipeline stages whose numbers are all equal. */
export interface StageColumn {
  g: GpuBudget;
  firstStage: number;
  lastStage: number;
  firstRank: number;
  lastRank: number;
}

function sameNumbers(first: GpuBudget, second: GpuBudget): boolean {
  for (const key of Object.keys(first) as (keyof GpuBudget)[]) {
    if (key === "ppStage" || key === "ranks") continue;
    if (first[key] !== second[key]) return false;
  }
  return true;
}

/**
 * The stages grouped into columns: identical consecutive stages share one column, so the table
 * stays a few columns wide whatever the pipeline size (-pp 4096 gives at most a handful).
 */
export function stageColumns(plan: Plan): StageColumn[] {
  const cols: StageColumn[] = [];
  for (const budget of plan.perGpu) {
    const last = cols[cols.length - 1];
    const r0 = budget.ranks[0] ?? 0;
    const r1 = budget.ranks[budget.ranks.length - 1] ?? r0;
    if (last && sameNumbers(last.g, budget)) {
      last.lastStage = budget.ppStage;
      last.lastRank = r1;
    } else cols.push({ g: budget, firstStage: budget.ppStage, lastStage: budget.ppStage, firstRank: r0, lastRank: r1 });
  }
  return cols;
}

/** A stage column's head in markdown and HTML: "per GPU" on one stage, else the stages it stands for. */
export function stageLabel(plan: Plan, col: StageColumn): string {
  return plan.perGpu.length === 1 ? "per GPU" : col.firstStage === col.lastStage ? `stage ${col.firstStage}` : `stages ${col.firstStage}–${col.lastStage}`;
}

/** A figure of the budget table: its text, the pass it comes from (activation peak), whether it is bad news. */
export interface BudgetCell {
  text: string;
  note?: string;
  bad?: boolean;
}

/** The parts of the budget table, each format styling them its own way. */
export type BudgetRowKind = "total" | "budget" | "weights" | "activation" | "encoder" | "non-torch" | "graphs" | "kv" | "outside" | "context" | "others" | "smi";

/** One row of the per-GPU budget table. */
export interface BudgetRow {
  kind: BudgetRowKind;
  label: string;
  /** 0: the GPU and its totals; 1: a part of the budget or of what lies outside it; 2: a part of a part. */
  depth: 0 | 1 | 2;
  /** The GpuBudget field its figure is (HTML's data-field), null when it is a sum or words. */
  field: keyof GpuBudget | null;
  cell: (g: GpuBudget) => BudgetCell;
}

/**
 * The rows of the budget table, in order, for the terminal, markdown and HTML alike: each group's rows
 * add up to it (#12.1). Graphs the budget does not hold (before v0.21, with --kv-cache-memory) are listed
 * under "outside the budget", not under the budget they are not part of; other processes' memory sits
 * outside vLLM's budget and shows in nvidia-smi's memory.used with vLLM's.
 */
export function budgetRows(plan: Plan): BudgetRow[] {
  const engine = plan.engine;
  const graphs = (g: GpuBudget): BudgetCell => ({ text: engine.cudaGraphs ? gib(g.cudaGraphBytes) : "–" });
  const fixedKv = plan.perGpu.some((g) => g.kvCacheMemoryFixed);
  const others = plan.perGpu.some((g) => g.otherProcessBytes > 0);
  const rows: (BudgetRow | false)[] = [
    { kind: "total", label: "GPU memory (CUDA total)", depth: 0, field: "totalBytes", cell: (g) => ({ text: gib(g.totalBytes) }) },
    { kind: "budget", label: fixedKv ? "vLLM use (--kv-cache-memory)" : `budget (× ${engine.gpuMemoryUtilization})`, depth: 0, field: "budgetBytes", cell: (g) => ({ text: gib(g.budgetBytes) }) },
    { kind: "weights", label: "weights", depth: 1, field: "weightsBytes", cell: (g) => ({ text: gib(g.weightsBytes) }) },
    { kind: "activation", label: "activation peak", depth: 1, field: "activationPeakBytes", cell: (g) => ({ text: gib(g.activationPeakBytes), note: PHASE_LABELS[g.activationPhase] }) },
    !!plan.encoder && { kind: "encoder", label: "vision encoder pass alone", depth: 2, field: "encoderPeakBytes", cell: (g) => ({ text: g.ppStage === 0 ? gib(g.encoderPeakBytes) : "–" }) },
    { kind: "non-torch", label: "non-torch memory", depth: 1, field: "nonTorchBytes", cell: (g) => ({ text: gib(g.nonTorchBytes) }) },
    engine.cudaGraphEstimateSubtracted && { kind: "graphs", label: "CUDA graphs (estimate)", depth: 1, field: "cudaGraphBytes", cell: graphs },
    { kind: "kv", label: "KV cache", depth: 1, field: "kvCacheBytes", cell: (g) => (g.kvShortfallBytes > 0 ? { text: `none (${gib(g.kvShortfallBytes)} short)`, bad: true } : { text: gib(g.kvCacheBytes) }) },
    // What the budget leaves of the GPU, or by how much it exceeds it (--kv-cache-memory above what is free).
    { kind: "outside", label: "outside the budget", depth: 0, field: "outsideBudgetBytes", cell: (g) => (g.budgetBytes > g.totalBytes ? { text: `none (${gib(g.budgetBytes - g.totalBytes)} over)`, bad: true } : { text: gib(g.outsideBudgetBytes) }) },
    !engine.cudaGraphEstimateSubtracted && { kind: "graphs", label: "CUDA graphs", depth: 1, field: "cudaGraphBytes", cell: graphs },
    { kind: "context", label: "CUDA context + NCCL", depth: 1, field: null, cell: (g) => ({ text: gib(g.cudaContextBytes + g.ncclBytes) }) },
    others && { kind: "others", label: "other processes", depth: 1, field: "otherProcessBytes", cell: (g) => ({ text: gib(g.otherProcessBytes) }) },
    {
      kind: "smi",
      label: others ? "nvidia-smi will show ≈ (all)" : "nvidia-smi will show ≈",
      depth: 0,
      field: others ? null : "expectedUsedBytes",
      cell: (g) => ({ text: nvidiaSmiShown(g.expectedUsedBytes + g.otherProcessBytes, g.totalBytes, plan.fits) }),
    },
  ];
  return rows.filter((row): row is BudgetRow => row !== false);
}

/** A GPU bar's title (terminal and HTML) and the terminal table's column head: its GPUs and pipeline stages. */
export function stageHeader(plan: Plan, col: StageColumn): string {
  const ranks = col.firstRank === col.lastRank ? `GPU ${col.firstRank}` : `GPUs ${col.firstRank}–${col.lastRank}`;
  const stages = col.firstStage === col.lastStage ? `stage ${col.firstStage}` : `stages ${col.firstStage}–${col.lastStage}`;
  return plan.perGpu.length > 1 ? `${ranks} (${stages})` : col.firstRank !== col.lastRank ? `${ranks} (each)` : ranks;
}

/**
 * ", planned with 0.29.0's rules" for a release newer than the newest modeled (--vllm-version 0.40), so
 * every header says whose rules planned it where the verdict is read (the warning is at the end); "" otherwise.
 */
export function plannedWith(plan: Plan): string {
  const newer = plan.diagnostics.find((d) => d.code === "VLLM_VERSION_NOT_MODELED" && String(d.args["modeled"]) !== plan.engine.vllmVersion);
  return newer ? `, planned with ${String(newer.args["modeled"])}'s rules` : "";
}

export function renderTable(plan: Plan, opts: TableOptions): string {
  const chalk = opts.chalk;
  const engine = plan.engine;
  const lines: string[] = [];
  const verdict = plan.fits ? chalk.green.bold("STARTS") : chalk.red.bold("WILL NOT START");
  // The header on one line when it fits, else what runs where, then the release and the verdict.
  const head1 = `${chalk.bold(plan.model.id)} on ${plan.gpu.count} × ${plan.gpu.name}${gpuLayout(plan)}`;
  const head2 = `vLLM ${engine.vllmVersion} (${engine.engine.toUpperCase()}${plannedWith(plan)}): ${verdict}`;
  if (visibleWidth(`${head1} — ${head2}`) <= (opts.columns ?? 80)) lines.push(`${head1} — ${head2}`);
  else lines.push(head1, `  ${head2}`);
  lines.push(chalk.dim(planSettings(plan).join(" · ")));
  const cols = stageColumns(plan);
  const head = ["GiB per GPU", ...cols.map((col) => stageHeader(plan, col))];
  const rows: string[][] = [head.map((h) => chalk.bold(h))];
  const tone: Record<BudgetRowKind, (s: string) => string> = {
    total: (s) => s,
    budget: (s) => s,
    weights: chalk.blue,
    activation: chalk.magenta,
    encoder: chalk.magenta,
    "non-torch": chalk.yellow,
    graphs: chalk.cyan,
    kv: chalk.green.bold,
    outside: chalk.gray,
    context: chalk.gray,
    others: chalk.gray,
    smi: (s) => s,
  };
  for (const row of budgetRows(plan)) {
    // The terminal says whose budget it is; the parts are indented under it, colored as the bar draws them.
    const label = row.kind === "budget" && !row.label.startsWith("vLLM") ? `vLLM ${row.label}` : row.label;
    const figure = (cell: BudgetCell): string => {
      const text = cell.bad ? chalk.red(cell.text) : row.kind === "budget" ? chalk.bold(cell.text) : row.kind === "kv" ? chalk.green.bold(cell.text) : cell.text;
      return cell.note === undefined ? text : `${text} ${chalk.dim(`(${cell.note})`)}`;
    };
    rows.push([tone[row.kind](`${"  ".repeat(row.depth)}${label}`), ...cols.map((col) => figure(row.cell(col.g)))]);
  }
  lines.push(boxTable(rows, ["left", ...cols.map(() => "right" as const)]));

  const columns = opts.columns ?? 80;
  lines.push("");
  const labelWidth = Math.max(16, ...cols.map((col) => stageHeader(plan, col).length));
  const width = Math.max(10, Math.min(opts.width ?? 60, columns - labelWidth - 1));
  for (const col of cols) lines.push(`${stageHeader(plan, col).padEnd(labelWidth)} ${stackedBar(col.g, width, chalk)}`);
  lines.push(...wrapLine(" ".repeat(labelWidth + 1) + Object.values(BAR_STYLES).map((s: BarStyle) => s.color(chalk)(`${s.ch} ${s.label}`)).join("  "), columns, ["  "], " ".repeat(labelWidth + 1)));

  const kv = plan.kvCache;
  lines.push("");
  lines.push(chalk.bold("KV cache"));
  lines.push(`  ${thousands(kv.bytesPerToken)} bytes per token per GPU · block ${kv.blockSize} tokens · page ${thousands(kv.pageSizeBytes)} B · ${kv.numGroups} group(s) of ${kv.groupSize} layers`);
  lines.push(`  GPU blocks: ${thousands(kv.numGpuBlocks)} · GPU KV cache size: ${thousands(kv.tokens)} tokens`);
  lines.push(`  Maximum concurrency for ${thousands(engine.maxModelLen)} tokens per request: ${concurrencyText(kv.maxConcurrency)}`);
  if (plan.host) lines.push("", chalk.bold("Host memory"), `  ${hostText(plan.host)}`);
  if (plan.encoder) {
    const en = plan.encoder;
    lines.push("");
    lines.push(chalk.bold("Vision encoder profile"));
    lines.push(
      `  ${en.items} ${en.modality} item(s) of ${thousands(en.tokensPerItem)} tokens (${en.itemWidth}×${en.itemHeight}${en.modality === "video" ? `, ${thousands(en.patchesPerItem)} patches` : ""}), budget ${thousands(en.budgetTokens)} tokens → encoder peak ${gibText(plan.perGpu[0]?.encoderPeakBytes ?? 0)}`,
    );
  }
  const whatIfs = shownWhatIfs(plan);
  if (whatIfs.length > 0) {
    lines.push("");
    lines.push(chalk.bold("What if (re-planned with one lever changed)"));
    // Columns: lever, KV gained per GPU, KV tokens, concurrency; the flags to type on the line below.
    const labelW = Math.max(...whatIfs.map((w) => WHAT_IF_LABELS[w.code].length));
    const gains = whatIfs.map(whatIfGain);
    const gainW = Math.max(...gains.map((x) => x.length));
    const tokens = whatIfs.map((w) => thousands(w.kvTokens));
    const tokW = Math.max(...tokens.map((x) => x.length));
    const concs = whatIfs.map((w) => `${concurrencyText(w.maxConcurrency)}`);
    const concW = Math.max(...concs.map((x) => x.length));
    whatIfs.forEach((whatIf, index) => {
      const gain = (gains[index] ?? "").padStart(gainW);
      lines.push(`  ${WHAT_IF_LABELS[whatIf.code].padEnd(labelW)}  ${whatIf.kvGainBytes >= 0 ? chalk.green(gain) : chalk.red(gain)} GiB KV → ${(tokens[index] ?? "").padStart(tokW)} tokens, ${(concs[index] ?? "").padStart(concW)}`);
      lines.push(`      ${chalk.dim(flagsText(whatIf.flags))}${whatIf.fits ? "" : `  ${chalk.red(WHAT_IF_ALONE_FAILS)}`}`);
    });
  }
  if (plan.diagnostics.length > 0) {
    lines.push("");
    for (const diagnostic of plan.diagnostics) {
      const tag = diagnostic.severity === "error" ? chalk.red.bold("error") : diagnostic.severity === "warning" ? chalk.yellow.bold("warning") : chalk.blue("info");
      lines.push(`${tag} ${chalk.dim(diagnostic.code)}: ${messageFor(diagnostic, plan)}`);
      const fixes = fixEntries(diagnostic);
      if (fixes.length === 1) lines.push(`  ${chalk.bold("fix:")} ${fixes[0]}`);
      else if (fixes.length > 1) {
        lines.push(`  ${chalk.bold("fix (any one; cheapest first):")}`);
        for (const f of fixes) lines.push(`    ${f}`);
      }
    }
  }
  // Every line within the terminal's width: settings break between " · " items, sentences at spaces;
  // the box table is laid out to fit already and is never broken.
  return lines.flatMap((l) => l.split("\n")).flatMap((l) => (/^[┌│├└]/.test(l) || visibleWidth(l) <= columns ? [l] : wrapLine(l, columns, [" · ", " — "]))).join("\n") + "\n";
}

/** The host-memory line shared by the table and markdown renderers (issue #15.3: processes, offload, /dev/shm). */
export function hostText(host: NonNullable<Plan["host"]>): string {
  const parts: string[] = [`${host.processes} processes`];
  if (host.cpuOffloadBytes > 0) parts.push(`${gibText(host.cpuOffloadBytes)} of offloaded weights (pinned, all GPUs)`);
  if (host.kvOffloadingBytes > 0) parts.push(`${gibText(host.kvOffloadingBytes)} KV offloading buffer`);
  return `${gibText(host.memoryBytes)} resident (${parts.join(", ")}; estimate) · /dev/shm ${gibText(host.shmBytes)}`;
}
