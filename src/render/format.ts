import { errorLine } from "../limits.js";
import { gib, gibText, thousands } from "../core/text.js";

// GiB and thousands are written by units.ts, so messages outside render/ read the same.
export { gib, gibText, thousands };

// Units appear only when rendering. GiB = 2^30 bytes, as vLLM prints them (format_gib: round to 2 decimals).
export const GIB = 2 ** 30;

/** `--device cpu` on the command line (run.ts) or in a deployment (check): nothing to plan. */
export const CPU_DEPLOYMENT_NOTE = "vLLM runs on the CPU here (--device cpu): not a GPU deployment, nothing to plan";

/**
 * The "nvidia-smi will show" figure: the bytes used, or "–" with why when they exceed the GPU's CUDA total
 * (the start-up then fails allocating, so nothing near that figure is ever shown: --kv-cache-memory 80GiB
 * on a 21.99 GiB L4 used to read "≈ 96.02").
 */
export function nvidiaSmiShown(usedBytes: number, totalBytes: number, starts = false): string {
  // A plan that starts although its figure is above the total (FREE_MEMORY_BELOW_BUDGET as a warning: it
  // starts only with a CUDA context smaller than the one counted) fills the GPU, not "out of memory".
  if (usedBytes > totalBytes) return starts ? `${gib(totalBytes)} (full)` : "– (out of memory)";
  return gib(usedBytes);
}



/** A concurrency as vLLM logs it ("Maximum concurrency for 8,192 tokens per request: 12.34x", vllm/v1/core/kv_cache_utils.py): two decimals and "x". */
export function concurrencyText(requests: number): string {
  return `${requests.toFixed(2)}x`;
}

/** " (TP 2 × PP 1 × DP 2 GPUs)" when data-parallel replicas multiply the GPUs; "" otherwise (figures are per GPU either way). */
export function gpuLayout(plan: { gpu: { tensorParallelSize: number; pipelineParallelSize: number; dataParallelSize: number } }): string {
  const gpu = plan.gpu;
  return gpu.dataParallelSize > 1 ? ` (TP ${gpu.tensorParallelSize} × PP ${gpu.pipelineParallelSize} × DP ${gpu.dataParallelSize}; figures per GPU)` : "";
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Cells a line takes on a terminal: ANSI color codes take none, every other code point one. The one
 * width rule of render/: the boxed table's columns (box.ts), every wrapped line and every error line.
 */
export function visibleWidth(text: string): number {
  const plain = text.includes("\x1b") ? text.replace(ANSI, "") : text;
  // Code points, as for-of counts them: a surrogate pair is one. Counted by regular expression, not by
  // iterating the string, which was ≈1 ms of a plan's start-up (--cpu-prof, Node 20).
  return plain.length - (SURROGATE_PAIR.test(plain) ? (plain.match(SURROGATE_PAIRS)?.length ?? 0) : 0);
}

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/;
const SURROGATE_PAIRS = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/** The width text output is fitted to: COLUMNS when it is a number, never below 80 (and 80 when unset). */
export function outputColumns(env: Record<string, string | undefined>): number {
  const columns = Number(env["COLUMNS"]);
  return Number.isInteger(columns) && columns > 80 ? Math.min(columns, 400) : 80;
}

/**
 * A bad-input error as printed on stderr, every line within `width` where its words allow (#12.13):
 * the first line is `vram-plan: <message>`, the error on its own (the flag or file and what is wrong);
 * the hint, and any part of a message too long for one line, follow on lines indented by two spaces.
 * A message over the width is cut at the last clause boundary ("; ", " (", ". ", ": ", ", ") that lets
 * its first line fit, so the first line still reads as the error and the rest as its detail; joining
 * the lines back with single spaces gives the message (and the hint) again. Words are never cut: a path
 * longer than the width stays whole, on a line of its own.
 */
export function errorLines(message: string, hint: string | undefined, width: number): string[] {
  const prefix = "vram-plan: ";
  let head = errorLine(message);
  let rest = hint === undefined ? "" : errorLine(hint);
  const room = width - prefix.length;
  if (head.length > room) {
    for (const sep of ["; ", " (", ". ", ": ", ", "]) {
      // The first line keeps the separator's mark (";", ":", ...); " (" moves whole to the next line.
      const kept = sep === " (" ? "" : sep.trimEnd();
      let at = head.lastIndexOf(sep, room - kept.length);
      // Not the full stop of "e.g. " / "i.e. ".
      while (sep === ". " && at > 0 && /\b(e\.g|i\.e|etc)$/.test(head.slice(0, at))) at = head.lastIndexOf(sep, at - 1);
      // Past the flag or file the message starts with ("--model x: ..."), so the first line names it;
      // " (" only before a closing parenthetical, and ": " / ", " only with most of the line before them
      // (else the words are wrapped where they fall).
      if (at <= 12) continue;
      if (sep === " (" && head.indexOf(")", at) !== head.length - 1) continue;
      if ((sep === ": " || sep === ", ") && at < room * 0.5) continue;
      const tail = head.slice(at + (sep === " (" ? 1 : sep.length));
      head = head.slice(0, at) + kept;
      rest = rest ? `${tail} ${rest}` : tail;
      break;
    }
  }
  return [...stderrLines(prefix, head, width), ...(rest ? stderrLines("  ", rest, width) : [])];
}

/** A warning on stderr (`vram-plan: warning: …`), its words wrapped within `width`, continuations indented. */
export function warningText(text: string, width: number): string {
  return `${stderrLines("vram-plan: warning: ", errorLine(text), width).join("\n")}\n`;
}

/** A note on stderr (`vram-plan: note: …`), wrapped within `width` like a warning: --gpu auto's notes name a GPU, its processes and their memory, often past 80 columns. */
export function noteText(text: string, width: number): string {
  return `${stderrLines("vram-plan: note: ", errorLine(text), width).join("\n")}\n`;
}

/**
 * `lead` + `text` for stderr, wrapped at spaces by wrapLine: continuations indented by two spaces, the
 * first line holding `lead` and the first word at least, and words never cut (a path stays copyable).
 */
function stderrLines(lead: string, text: string, width: number): string[] {
  return wrapLine(lead + text, width, [" "], "  ", { head: visibleWidth(lead), wholeWords: true });
}

/** How wrapLine treats a line's head and its long words (the defaults suit stdout's tables and notes). */
export interface WrapRules {
  /** Cells at the start of the first line that stay with its first piece (a "vram-plan: warning: " prefix); default: the continuation indent's width. */
  head?: number;
  /** A word longer than the width stays whole on a line of its own (stderr: a path stays copyable) instead of being cut. */
  wholeWords?: boolean;
}

/**
 * `line` broken so every piece fits `width` cells: at the first separator of `seps` that can do it
 * (" · " between settings before a plain space), continuation pieces starting with `indent`
 * (default: the line's own indentation plus two spaces). A word longer than the width is cut, unless
 * `rules.wholeWords`. The one word-wrap of render/: stdout's lines and stderr's errors, warnings and notes.
 */
export function wrapLine(line: string, width: number, seps: readonly string[] = [" "], indent?: string, rules: WrapRules = {}): string[] {
  if (visibleWidth(line) <= width) return [line];
  const lead = indent ?? `${/^ */.exec(line.replace(ANSI, ""))?.[0] ?? ""}  `;
  const head = rules.head ?? lead.length;
  // Widths add up piece by piece (a separator never splits an ANSI sequence or a code point), so each
  // piece is measured once: measuring every joined prefix again made a long note quadratic (≈1 ms of a
  // plan's start-up, --cpu-prof).
  const leadWidth = visibleWidth(lead);
  for (const sep of [...seps, " "]) {
    const parts = line.split(sep);
    if (parts.length < 2) continue;
    const widths = parts.map(visibleWidth);
    const sepWidth = visibleWidth(sep);
    const out: string[] = [];
    // A line broken after a piece ends with the separator's visible part (" ·" for " · "), so a piece
    // is only kept on the line when that trailing mark fits too, unless the next piece joins it as well.
    const trail = sep.trim() ? sep.trimEnd() : "";
    const trailWidth = visibleWidth(trail);
    const opener = sep.trimStart();
    let cur = parts[0] ?? "";
    let curWidth = widths[0] ?? 0;
    for (let i = 1; i < parts.length; i++) {
      const part = parts[i] ?? "";
      const joinedWidth = curWidth + sepWidth + (widths[i] ?? 0);
      const nextWidth = widths[i + 1];
      const fits = joinedWidth <= width && (nextWidth === undefined || joinedWidth + trailWidth <= width || joinedWidth + sepWidth + nextWidth <= width);
      // A line holding only its indentation (or the first line only its head) takes the piece whatever its width.
      if (fits || curWidth <= (out.length === 0 ? head : lead.length)) {
        cur = cur + sep + part;
        curWidth = joinedWidth;
      } else {
        // The mark stays at the end of the line when it fits there; otherwise it opens the next line
        // (a line of 79 cells plus " —" was broken again, leaving "—" alone on a line).
        const mark = curWidth + trailWidth <= width ? trail : "";
        out.push(cur + mark);
        const opens = trail !== "" && mark === "";
        cur = lead + (opens ? opener : "") + part;
        curWidth = leadWidth + (opens ? visibleWidth(opener) : 0) + (widths[i] ?? 0);
      }
    }
    out.push(cur);
    if (out.length > 1) return out.flatMap((l, k) => (visibleWidth(l) <= width ? [l] : wrapLine(l, width, [], lead, { ...rules, head: k === 0 ? head : lead.length })));
  }
  // One unbreakable word: cut it by code points, as visibleWidth counts them (only plain text; a colored
  // word is left whole rather than broken mid-code).
  if (rules.wholeWords || line.includes("\x1b")) return [line];
  const points = [...line];
  const out: string[] = [points.slice(0, width).join("")];
  for (let i = width; i < points.length; i += width - lead.length) out.push(lead + points.slice(i, i + width - lead.length).join(""));
  return out;
}

/** A signed figure, or the bare figure when it rounds to zero ("0.00", never "−0.00" or "+0.00"): log's differences and watch's drift. */
export function signed(diff: number, printed: string): string {
  if (!/[1-9]/.test(printed)) return printed;
  return `${diff > 0 ? "+" : "−"}${printed}`;
}

/** A noun for a count: "GPU" for 1, "GPUs" otherwise (every "1 file", "2 GPUs" of render/). */
export function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

/** Text inside a Markdown table cell: a "|" would end the cell. */
export function mdCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}
