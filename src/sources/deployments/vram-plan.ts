// vram-plan's own deployments file (YAML or JSON), validated with zod; unknown keys are errors.
import { z } from "zod";
import { normalizeFlagName } from "../vllm-argv.js";
import { isVllmSwitch } from "../vllm-flags.js";
import type { Ctx, Deployment, DeploymentConstraints, Json } from "./common.js";
import { lineAt, type YamlFile, yamlValue } from "./yaml.js";
import { parseTokens } from "../../units.js";
import { MAX_GPU_COUNT, MAX_TOKENS } from "../../limits.js";


/*
 * vram-plan deployments file (YAML or JSON):
 *
 *   deployments:                      # one or more
 *     - name: chat                    # unique, non-empty
 *       model: Qwen/Qwen3-32B         # HF repo id or local path
 *       gpu: h100                     # GPU id or alias (vram-plan gpus)
 *       gpus: 2                       # optional, GPU count (default: tp × pp from flags)
 *       flags:                        # optional, vLLM flags, kebab-case or snake_case, no leading --
 *         tensor-parallel-size: 2     #   numbers and strings are passed as strings
 *         max_model_len: 32768
 *         enforce-eager: true         #   true → the bare flag; false → "false" (as --no-<flag>)
 *         limit-mm-per-prompt: {image: 2}   # objects → JSON string
 *         cuda-graph-sizes: [1, 2, 4] #   lists → space-joined values
 *       require:                      # optional constraints, checked against the plan
 *         concurrency: "32@8k"        #   N, or "N@LEN": N sequences of LEN tokens
 *         context: 32k                #   tokens; 32k = 32000, 32K = 32768 (vLLM's convention)
 *         maxUtilization: 0.9         #   highest acceptable --gpu-memory-utilization, (0, 1]
 *         headroom: 2GiB              #   memory to leave free per GPU
 *
 * Unknown keys are errors. Lengths accept k/K/m/M suffixes: lower-case decimal (k = 1000),
 * upper-case binary (K = 1024), as vLLM's --max-model-len does.
 */
const HUMAN_INT = /^\s*\d+(\.\d+)?\s*[kKmMgG]?\s*$/;

const FlagValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean()])),
  z.record(z.string(), z.unknown()),
]);

export const VramPlanRequireSchema = z.strictObject({
  concurrency: z
    .union([
      z.number().int().positive().max(MAX_TOKENS),
      z.string().regex(/^\s*\d+\s*(@\s*\d+(\.\d+)?\s*[kKmMgG]?\s*)?$/, 'expected N or "N@LEN" (e.g. "32@8k")'),
    ])
    .optional(),
  context: z
    .union([z.number().int().positive().max(MAX_TOKENS), z.string().regex(HUMAN_INT, 'expected a token count such as 32768 or "32k"')])
    .optional(),
  maxUtilization: z.number().gt(0).lte(1).optional(),
  headroom: z.union([z.string().min(1), z.number().nonnegative()]).optional(),
});

export const VramPlanDeploymentSchema = z.strictObject({
  name: z.string().min(1),
  model: z.string().min(1),
  gpu: z.string().min(1),
  gpus: z.number().int().positive().max(MAX_GPU_COUNT).optional(),
  flags: z.record(z.string(), FlagValueSchema).optional(),
  require: VramPlanRequireSchema.optional(),
});

export const VramPlanFileSchema = z.strictObject({
  deployments: z.array(VramPlanDeploymentSchema).min(1),
});

export type VramPlanFile = z.infer<typeof VramPlanFileSchema>;


/** "32k" → 32000, "32K" → 32768, "8192" → 8192 (vLLM's human-readable integers); null if not one. */
export function parseTokenCount(s: string): number | null {
  // The same reading as the command line's (vLLM's human_readable_int: 1.5k = 1500, but 1.5K is refused).
  const n = parseTokens(s);
  return n !== null && n > 0 && n <= MAX_TOKENS ? n : null;
}

function flagValue(v: z.infer<typeof FlagValueSchema>): string | true {
  if (v === true) return true;
  if (v === false) return "false";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(String).join(" ");
  return JSON.stringify(v);
}

function flagsToArgv(flags: Record<string, string | true>): string[] {
  const argv: string[] = [];
  for (const [k, v] of Object.entries(flags)) {
    if (v === true) argv.push(`--${k}`);
    else if (v === "false" && isVllmSwitch(k)) argv.push(`--no-${k}`);
    else argv.push(`--${k}`, ...(v.includes(" ") && !/^[[{"]/.test(v) ? v.split(" ") : [v]));
  }
  return argv;
}

export function readVramPlan(ctx: Ctx, f: YamlFile): Deployment[] {
  const out: Deployment[] = [];
  for (const doc of f.docs) {
    const js = yamlValue(doc) as Json;
    if (js === null || js === undefined) continue;
    const res = VramPlanFileSchema.safeParse(js);
    if (!res.success) {
      const issue = res.error.issues[0];
      const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== "symbol");
      // An unknown key is reported at the key itself.
      const keys = issue?.code === "unrecognized_keys" ? issue.keys : [];
      const at = keys[0] !== undefined ? [...path, keys[0]] : path;
      const where = formatPath(path);
      ctx.fail(lineAt(f, doc, at), `${where ? where + ": " : ""}${issue?.message ?? "invalid vram-plan deployments file"}`);
    }
    const names = new Map<string, number>();
    res.data.deployments.forEach((d, i) => {
      const line = lineAt(f, doc, ["deployments", i]);
      const prev = names.get(d.name);
      if (prev !== undefined) ctx.fail(lineAt(f, doc, ["deployments", i, "name"]), `deployments[${i}].name: "${d.name}" is already used on line ${prev}`);
      names.set(d.name, line);

      const args: Record<string, string | true> = {};
      for (const [rawKey, v] of Object.entries(d.flags ?? {})) {
        const key = normalizeFlagName(rawKey.replace(/^--?/, ""));
        if (key === "model") ctx.fail(lineAt(f, doc, ["deployments", i, "flags", rawKey]), `deployments[${i}].flags.${rawKey}: put the model in "model:", not in flags`);
        args[key] = flagValue(v);
      }
      const constraints: DeploymentConstraints = {};
      const req = d.require;
      if (req?.concurrency !== undefined) {
        if (typeof req.concurrency === "number") constraints.requireConcurrency = { n: req.concurrency };
        else {
          const [nStr, lenStr] = req.concurrency.split("@");
          const n = Number((nStr ?? "").trim());
          const len = lenStr === undefined ? undefined : parseTokenCount(lenStr);
          if (!Number.isInteger(n) || n <= 0 || n > MAX_TOKENS || len === null) {
            ctx.fail(lineAt(f, doc, ["deployments", i, "require", "concurrency"]), `deployments[${i}].require.concurrency: expected N or "N@LEN" (e.g. "32@8k")`);
          }
          constraints.requireConcurrency = len === undefined ? { n } : { n, len };
        }
      }
      if (req?.context !== undefined) {
        const c = typeof req.context === "number" ? req.context : parseTokenCount(req.context);
        if (c === null) ctx.fail(lineAt(f, doc, ["deployments", i, "require", "context"]), `deployments[${i}].require.context: expected a token count such as 32768 or "32k"`);
        constraints.requireContext = c;
      }
      if (req?.maxUtilization !== undefined) constraints.maxUtilization = req.maxUtilization;
      if (req?.headroom !== undefined) constraints.headroom = String(req.headroom);
      out.push({
        file: ctx.file,
        line,
        name: d.name,
        model: d.model,
        args,
        argv: flagsToArgv(args),
        gpuCount: d.gpus ?? null,
        gpuType: d.gpu,
        constraints,
        source: "vram-plan",
        notes: [],
      });
    });
  }
  return out;
}

function formatPath(path: readonly (string | number)[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s === "" ? p : `.${p}`;
  return s;
}
