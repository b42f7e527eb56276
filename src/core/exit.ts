// The one exit policy, a pure function of what a command produced:
//   0  it starts / the answer is yes / a listing was printed
//   1  it would not start / a finding (a deployment that fails its constraints, nothing fits)
//   2  bad input (a flag, a file, a config.json): one line on stderr naming it
//   3  a bug: anything else that escaped (stack on stderr)
// Every command returns one of these outcomes; src/cli/run.ts maps it with exitCodeFor and nothing
// else decides an exit code.
import { checkFoundNothing, type CheckEntry, type CheckReport } from "./check.js";
import type { Comparison } from "./compare.js";
import type { SolveResult } from "./solve.js";
import type { SweepResult } from "./sweep.js";
import type { Plan } from "./types.js";

export type ExitCode = 0 | 1 | 2 | 3;

/** What a command produced (the result its renderers took), or how it failed. */
export type Outcome =
  | { command: "plan"; plan: Plan }
  | { command: "sweep"; result: Pick<SweepResult, "rows"> }
  /** `broken`: a file could not be read or parsed, or no file held a deployment (exit 2, the rest still reported). */
  | { command: "check"; entries: readonly Pick<CheckEntry, "evaluation">[]; broken?: boolean }
  | { command: "solve"; result: Pick<SolveResult, "found"> }
  | { command: "compare"; comparison: Pick<Comparison, "vllm" | "offlineFits"> }
  /** vram-plan log: the logged start-up failed (1) or did not (0); not a vLLM log is bad input (2). */
  | { command: "log"; failed: boolean }
  /** vram-plan watch: a sample drifted from the plan past --tolerance (1), or none did (0). */
  | { command: "watch"; drift: boolean }
  /** Commands that print information and judge nothing: tokens, models, gpus, schema, help, version. */
  | { command: "info" }
  | { error: "input" }
  | { error: "bug" };

/** check's outcome: broken when a file could not be read or parsed, or none held a deployment to judge. */
export function checkOutcome(report: CheckReport): Outcome {
  return { command: "check", entries: report.entries, broken: report.fileErrors.length > 0 || checkFoundNothing(report) };
}

/** Exit policy as a pure function of the outcome. */
export function exitCodeFor(outcome: Outcome): ExitCode {
  if ("error" in outcome) return outcome.error === "input" ? 2 : 3;
  switch (outcome.command) {
    case "plan":
      return outcome.plan.fits ? 0 : 1;
    case "sweep":
      return outcome.result.rows.some((row) => row.fits) ? 0 : 1;
    case "check":
      if (outcome.broken === true) return 2;
      return outcome.entries.every((entry) => entry.evaluation?.ok === true) ? 0 : 1;
    case "solve":
      return outcome.result.found ? 0 : 1;
    case "compare":
      return outcome.comparison.vllm.fits && outcome.comparison.offlineFits ? 0 : 1;
    case "log":
      return outcome.failed ? 1 : 0;
    case "watch":
      return outcome.drift ? 1 : 0;
    case "info":
      return 0;
  }
}
