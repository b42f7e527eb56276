// `vram-plan plan` (the default command): one deployment's start-up budget per GPU.
// Reads the model and GPU through src/sources, plans with src/core/plan.ts, renders with src/render.
import { colorWanted, outputFormat, type Io } from "./io.js";
import { InputError } from "../errors.js";
import { engineFlagsFrom, type RawEngineFlags } from "../sources/engine-flags.js";
import { deploymentInputs } from "./deployment-inputs.js";
import type { Plan } from "../core/types.js";
import { planWithLevers } from "../core/levers.js";
import type { Outcome } from "../core/exit.js";
import { outputColumns, warningText } from "../render/format.js";

/** The plan command's options (model, GPU, vLLM engine flags, output), shared by compare and sweep. */
export interface CommonOpts extends RawEngineFlags {
  model?: string;
  gpu?: string;
  gpuMemory?: string;
  format?: string;
  json?: boolean;
  explain?: boolean;
  color?: boolean;
  offline?: boolean;
}

async function render(plan: Plan, opts: CommonOpts, io: Io): Promise<string> {
  const fmt = outputFormat(opts);
  if (fmt === "json") return (await import("../render/json.js")).renderJson(plan);
  // HTML is a report: it always carries the --explain lines.
  if (fmt === "html") return (await import("../render/html.js")).renderPlanHtml(plan);
  let out: string;
  if (fmt === "markdown") out = (await import("../render/markdown.js")).renderMarkdown(plan);
  else {
    const { renderTable } = await import("../render/table.js");
    const { colors } = await import("../render/colors.js");
    const { outputColumns } = await import("../render/format.js");
    out = renderTable(plan, { chalk: await colors(colorWanted(opts, io)), columns: outputColumns(io.env) });
  }
  if (opts.explain) out += (await import("../render/explain.js")).renderExplain(plan, fmt === "markdown" ? Number.POSITIVE_INFINITY : (await import("../render/format.js")).outputColumns(io.env));
  return out;
}

export async function planCommand(opts: CommonOpts, io: Io): Promise<Outcome> {
  if (!opts.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-vl-7b (vram-plan models lists the catalog)");
  const flags = engineFlagsFrom(opts);
  const { gpu, model } = await deploymentInputs({ ...opts, model: opts.model }, flags, io);
  if (flags.speculative?.model) {
    const { resolveDraftModel } = await import("../sources/draft-model.js");
    for (const w of (await resolveDraftModel(flags, { offline: opts.offline === true, env: io.env })).warnings) io.stderr(warningText(w, outputColumns(io.env)));
  }
  const plan = planWithLevers({ model: model.arch, gpu, flags }, { explain: opts.explain === true || outputFormat(opts) === "html", whatIf: true });
  io.stdout(await render(plan, opts, io));
  return { command: "plan", plan };
}
