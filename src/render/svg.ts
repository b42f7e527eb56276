// The project's own small SVG renderer: pure (numbers in, markup string out, no DOM), used by the HTML
// report (render/html.ts) and the web page (src/web/). Colors are mid-tone fills that read on a white
// page, a dark page and paper alike; text takes `currentColor`, so it follows the page's light or dark
// scheme. Every string that reaches the markup goes through `esc` (model ids, file names, GPU names).
import type { GpuBudget } from "../core/types.js";
import { gib, thousands, gibText } from "./format.js";

/** Text or attribute value made inert: & < > " ' become entities. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

/** A number as SVG writes it: at most two decimals, no exponent. */
const svgNum = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 100) / 100) : "0");

export interface BarSegment {
  key: string;
  label: string;
  bytes: number;
  color: string;
}

/** The parts of one GPU's memory in bar order, plus other processes: the one list the SVG bar and the terminal's (table.ts stackedBar) draw. */
export function gpuSegments(budget: GpuBudget, phaseLabel: string): BarSegment[] {
  const other = Math.max(0, budget.otherProcessBytes);
  const graphs: BarSegment = { key: "cuda-graphs", label: budget.cudaGraphInBudget ? "CUDA graphs" : "CUDA graphs (outside the budget)", bytes: budget.cudaGraphBytes, color: "#76b7b2" };
  return [
    { key: "weights", label: "weights", bytes: budget.weightsBytes, color: "#4e79a7" },
    { key: "activation", label: `activation peak (${phaseLabel})`, bytes: budget.activationPeakBytes, color: "#b07aa1" },
    { key: "non-torch", label: "non-torch", bytes: budget.nonTorchBytes, color: "#edc948" },
    // Graphs taken out of the KV budget sit inside it (v0.21+); before, they come out of the slack beyond it.
    ...(budget.cudaGraphInBudget ? [graphs] : []),
    { key: "kv-cache", label: "KV cache", bytes: Math.max(0, budget.kvCacheBytes), color: "#59a14f" },
    ...(budget.cudaGraphInBudget ? [] : [graphs]),
    // Other processes hold part of what lies outside vLLM's budget; the rest is the CUDA context, NCCL and slack.
    { key: "outside", label: "outside the budget", bytes: Math.max(0, budget.outsideBudgetBytes - other - (budget.cudaGraphInBudget ? 0 : budget.cudaGraphBytes)), color: "#9c9c9c" },
    { key: "other-processes", label: "other processes", bytes: other, color: "#e15759" },
  ];
}

/**
 * One GPU as a horizontal stacked bar scaled to its CUDA-visible memory (or to the sum of the parts
 * when they overrun it), with a dashed line at vLLM's budget, a tick scale in GiB, and each
 * segment titled with its size (hover) and labeled when wide enough.
 */
export function stackedBarSvg(budget: GpuBudget, phaseLabel: string, width = 720): string {
  const segs = gpuSegments(budget, phaseLabel).filter((s) => s.bytes > 0);
  const sum = segs.reduce((a, s) => a + s.bytes, 0);
  const scale = Math.max(budget.totalBytes, sum, 1);
  const h = 34;
  const top = 4;
  const px = (b: number): number => (b / scale) * width;
  let x = 0;
  const parts: string[] = [];
  for (const s of segs) {
    const w = px(s.bytes);
    parts.push(`<rect class="seg seg-${esc(s.key)}" data-segment="${esc(s.key)}" data-bytes="${s.bytes}" x="${svgNum(x)}" y="${top}" width="${svgNum(Math.max(w, 0.5))}" height="${h}" fill="${s.color}"><title>${esc(s.label)}: ${gibText(s.bytes)}</title></rect>`);
    if (w > 46) parts.push(`<text x="${svgNum(x + w / 2)}" y="${top + h / 2 + 4}" text-anchor="middle" font-size="11" fill="#111">${gib(s.bytes, w > 70 ? 2 : 1)}</text>`);
    x += w;
  }
  const budgetX = px(budget.budgetBytes);
  parts.push(`<line x1="${svgNum(budgetX)}" x2="${svgNum(budgetX)}" y1="0" y2="${top + h + 4}" stroke="currentColor" stroke-width="1.5" stroke-dasharray="4 3"><title>vLLM's budget: ${gibText(budget.budgetBytes)}</title></line>`);
  parts.push(`<rect x="0" y="${top}" width="${svgNum(px(budget.totalBytes))}" height="${h}" fill="none" stroke="currentColor" stroke-width="1"/>`);
  // Ticks every 10 or 20 GiB (40 above 160 GiB) so a few labels fit.
  const totalGib = scale / 2 ** 30;
  const step = totalGib > 160 ? 40 : totalGib > 60 ? 20 : totalGib > 20 ? 10 : totalGib > 8 ? 2 : 1;
  for (let t = 0; t <= totalGib + 1e-9; t += step) {
    const tx = px(t * 2 ** 30);
    parts.push(`<line x1="${svgNum(tx)}" x2="${svgNum(tx)}" y1="${top + h}" y2="${top + h + 4}" stroke="currentColor"/><text x="${svgNum(tx)}" y="${top + h + 16}" font-size="10" text-anchor="${t === 0 ? "start" : "middle"}" fill="currentColor">${t}</text>`);
  }
  parts.push(`<text x="${width}" y="${top + h + 16}" font-size="10" text-anchor="end" fill="currentColor">GiB</text>`);
  return `<svg class="stacked-bar" role="img" aria-label="GPU memory: ${esc(segs.map((s) => `${s.label} ${gibText(s.bytes)}`).join(", "))}" viewBox="-2 0 ${width + 4} ${top + h + 20}" width="100%" style="max-width:${width + 4}px">${parts.join("")}</svg>`;
}

/** The legend of the stacked bar (HTML, so it wraps on a narrow page). */
export function barLegendHtml(budget: GpuBudget, phaseLabel: string): string {
  return `<ul class="legend">${gpuSegments(budget, phaseLabel)
    .filter((s) => s.bytes > 0)
    .map((s) => `<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${s.color}"/></svg> ${esc(s.label)} <span class="num">${gib(s.bytes)}</span></li>`)
    .join("")}<li><svg width="14" height="12" aria-hidden="true"><line x1="7" x2="7" y1="0" y2="12" stroke="currentColor" stroke-dasharray="3 2"/></svg> budget <span class="num">${gib(budget.budgetBytes)}</span></li></ul>`;
}

export interface Bar {
  label: string;
  value: number;
  /** What is written beside the bar. */
  text: string;
}

/** Horizontal bars around a zero line (negative values to the left, in red): e.g. KV gained per what-if. */
export function barChartSvg(bars: readonly Bar[], width = 720): string {
  const labelW = 250;
  const textW = 90;
  const rowH = 24;
  const plotW = width - labelW - textW;
  const max = Math.max(...bars.map((b) => Math.abs(b.value)), 1e-9);
  const hasNeg = bars.some((b) => b.value < 0);
  const zero = labelW + (hasNeg ? plotW / 2 : 0);
  const span = hasNeg ? plotW / 2 : plotW;
  const parts: string[] = [];
  bars.forEach((bar, i) => {
    const y = i * rowH + 4;
    const w = (Math.abs(bar.value) / max) * span;
    const x = bar.value >= 0 ? zero : zero - w;
    parts.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" font-size="12" fill="currentColor">${esc(bar.label)}</text>`);
    parts.push(`<rect x="${svgNum(x)}" y="${y + 2}" width="${svgNum(Math.max(w, 1))}" height="${rowH - 8}" fill="${bar.value >= 0 ? "#59a14f" : "#e15759"}"><title>${esc(bar.label)}: ${esc(bar.text)}</title></rect>`);
    parts.push(`<text x="${svgNum(bar.value >= 0 ? x + w + 6 : zero + 6)}" y="${y + 14}" font-size="12" fill="currentColor" class="num">${esc(bar.text)}</text>`);
  });
  const h = bars.length * rowH + 8;
  parts.push(`<line x1="${svgNum(zero)}" x2="${svgNum(zero)}" y1="0" y2="${h}" stroke="currentColor"/>`);
  return `<svg class="bar-chart" role="img" viewBox="0 0 ${width} ${h}" width="100%" style="max-width:${width}px">${parts.join("")}</svg>`;
}

export interface Series {
  name: string;
  /** y per x position (null: no point); `hollow` marks points of configurations that do not start. */
  points: { x: number; y: number | null; hollow?: boolean }[];
}

export interface LineChart {
  title: string;
  /** The x positions' labels (numeric x are placed by `xScale`). */
  xTitle: string;
  yTitle: string;
  /** "log": a doubling axis (max-model-len); "linear"; "category": one slot per x index. */
  xScale: "log" | "linear" | "category";
  xLabel: (x: number) => string;
  yLabel: (y: number) => string;
  series: Series[];
}

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f"];

/** A line chart of a sweep: one line per series, hollow markers for configurations that would not start. */
export function lineChartSvg(chart: LineChart, width = 720, height = 280): string {
  const margin = { l: 70, r: 34, t: 24, b: 44 };
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = chart.series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const yMax = Math.max(...ys, 0) * 1.08 || 1;
  const plotW = width - margin.l - margin.r;
  const plotH = height - margin.t - margin.b;
  const lo = xs[0] ?? 0;
  const hi = xs[xs.length - 1] ?? 1;
  const fx = (x: number): number => {
    if (xs.length === 1) return margin.l + plotW / 2;
    if (chart.xScale === "category") return margin.l + (xs.indexOf(x) / (xs.length - 1)) * plotW;
    if (chart.xScale === "log" && lo > 0) return margin.l + (Math.log(x / lo) / Math.log(hi / lo)) * plotW;
    return margin.l + ((x - lo) / (hi - lo)) * plotW;
  };
  const fy = (y: number): number => margin.t + plotH - (y / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${margin.l}" y="14" font-size="13" font-weight="600" fill="currentColor">${esc(chart.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = (yMax / 1.08) * (i / 4);
    parts.push(`<line x1="${margin.l}" x2="${margin.l + plotW}" y1="${svgNum(fy(y))}" y2="${svgNum(fy(y))}" stroke="currentColor" stroke-opacity="0.15"/><text x="${margin.l - 6}" y="${svgNum(fy(y) + 4)}" text-anchor="end" font-size="10" fill="currentColor">${esc(chart.yLabel(y))}</text>`);
  }
  // At most ~10 x labels.
  const every = Math.max(1, Math.ceil(xs.length / 10));
  xs.forEach((x, i) => {
    // The last value is labeled too on a numeric axis (a category axis keeps the even spacing instead).
    if (i % every !== 0 && !(i === xs.length - 1 && chart.xScale !== "category" && i % every >= every / 2)) return;
    parts.push(`<text x="${svgNum(fx(x))}" y="${margin.t + plotH + 16}" text-anchor="middle" font-size="10" fill="currentColor">${esc(chart.xLabel(x))}</text>`);
  });
  parts.push(`<line x1="${margin.l}" x2="${margin.l + plotW}" y1="${margin.t + plotH}" y2="${margin.t + plotH}" stroke="currentColor"/><line x1="${margin.l}" x2="${margin.l}" y1="${margin.t}" y2="${margin.t + plotH}" stroke="currentColor"/>`);
  parts.push(`<text x="${margin.l + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="currentColor">${esc(chart.xTitle)}</text>`);
  parts.push(`<text transform="translate(12 ${margin.t + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="currentColor">${esc(chart.yTitle)}</text>`);
  chart.series.forEach((s, i) => {
    const col = PALETTE[i % PALETTE.length] ?? "#4e79a7";
    const pts = s.points.filter((p): p is { x: number; y: number; hollow?: boolean } => p.y !== null);
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${col}" stroke-width="2" points="${pts.map((p) => `${svgNum(fx(p.x))},${svgNum(fy(p.y))}`).join(" ")}"/>`);
    for (const p of pts) parts.push(`<circle cx="${svgNum(fx(p.x))}" cy="${svgNum(fy(p.y))}" r="3.5" fill="${p.hollow ? "none" : col}" stroke="${col}" stroke-width="1.5"><title>${esc(s.name)} ${esc(chart.xLabel(p.x))}: ${esc(chart.yLabel(p.y))}${p.hollow ? " (does not start)" : ""}</title></circle>`);
  });
  const legend = chart.series.length > 1 ? `<ul class="legend">${chart.series.map((s, i) => `<li><svg width="14" height="10" aria-hidden="true"><line x1="0" x2="14" y1="5" y2="5" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2"/></svg> ${esc(s.name)}</li>`).join("")}</ul>` : "";
  return `<figure class="line-chart"><svg role="img" aria-label="${esc(chart.title)}" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">${parts.join("")}</svg>${legend}</figure>`;
}

/** Tokens for an axis label: 1.2M, 350k, 900. */
export function shortCount(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e7 ? 0 : 1)}M`;
  if (x >= 1e4) return `${Math.round(x / 1e3)}k`;
  return thousands(Math.round(x));
}
