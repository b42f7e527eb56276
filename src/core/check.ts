// The result of `vram-plan check`: built by src/commands/check.ts, rendered by src/render/check.ts,
// judged by src/core/exit.ts. Plain data.
import type { Evaluation, FixOption, Target } from "./solve.js";

/** One deployment's verdict, as the renderers take it. */
export interface CheckEntry {
  file: string;
  line: number;
  name: string;
  /** The model as planned (a Hugging Face id or catalog name), or as written when it could not be found. */
  model: string;
  /** Null when the deployment was not planned (see `problem`). */
  gpu: { id: string; name: string; cudaTotalBytes: number } | null;
  /** GPUs the file gives the deployment (null: not said; vLLM's tp × pp × dp assumed). */
  gpuCount: number | null;
  /** The vLLM release whose rules were used (e.g. "0.11.0"); null when not planned. */
  release: string | null;
  target: Target;
  /** The constraints as written, for messages (e.g. "32@8k", "2GiB"). */
  targetText: { concurrency?: string; context?: string; maxUtilization?: string; headroom?: string };
  /** Null when the deployment could not be planned: `problem` says what is missing. */
  evaluation: Evaluation | null;
  /** One line: what the file alone does not determine, or why the model is not available here. */
  problem: string | null;
  fixes: FixOption[];
  /** Services sharing a GPU: a start order that lets every one of them start, when the file's does not. */
  orderFix?: string;
  /** The vllm serve flags as planned (kebab-case, as in the file). */
  args: Record<string, string | true>;
  notes: string[];
}

/** A note about a file as a whole: skipped (no vLLM deployment), a template to render first, ... */
export interface FileNote {
  file: string;
  line?: number;
  text: string;
  /**
   * What the note stands for, where the summary and the exit policy count it: "skipped", no vLLM
   * deployment in it; "cpu", a vLLM on the CPU (--device cpu), understood but nothing to plan.
   */
  kind?: "skipped" | "cpu";
}

/**
 * Whether the files held nothing check could judge: no deployment, no file error, and no vLLM on
 * the CPU (that one is understood: exit 0 with its note). Exit 2, and no summary may call it a pass.
 */
export function checkFoundNothing(report: CheckReport): boolean {
  return report.entries.length === 0 && report.fileErrors.length === 0 && !report.fileNotes.some((f) => f.kind === "cpu");
}

/** Everything check found: the deployments, notes about files, and files that could not be read or parsed. */
export interface CheckReport {
  entries: CheckEntry[];
  fileNotes: FileNote[];
  /** One line each ("file:line: what"); any makes the exit code 2, the rest is still reported. */
  fileErrors: string[];
}
