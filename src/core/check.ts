// The result of `vram-plan check` for one deployment: built by src/commands/check.ts, rendered by
// src/render/check.ts, judged by src/core/exit.ts. Plain data.
import type { Evaluation, FixOption, Target } from "./solve.js";

/** One deployment's verdict, as the renderers take it. */
export interface CheckEntry {
  file: string;
  line: number;
  name: string;
  model: string;
  gpu: { id: string; name: string; cudaTotalBytes: number };
  /** GPUs the file gives the deployment (null: not said; vLLM's tp × pp × dp assumed). */
  gpuCount: number | null;
  target: Target;
  /** The constraints as written, for messages (e.g. "32@8k", "2GiB"). */
  targetText: { concurrency?: string; context?: string; maxUtilization?: string; headroom?: string };
  evaluation: Evaluation;
  fixes: FixOption[];
  /** The vllm serve flags as planned (kebab-case, as in the file). */
  args: Record<string, string | true>;
  notes: string[];
}
