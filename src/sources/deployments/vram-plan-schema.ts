// The schema of vram-plan's own deployments file (zod). A module of its own so that zod (its module
// initialization and the schemas below: milliseconds of start-up, see scripts/build-bin.mjs) is loaded
// only when a file has a `deployments:` mapping to validate (loadVramPlanSchema in vram-plan.ts), not
// for every `check`.
import * as z from "zod";
import { refineUtilization } from "../vllm-values.js";
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

export const FlagValueSchema = z.union([
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
  maxUtilization: z.number().superRefine(refineUtilization).optional(),
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

export type FlagValue = z.infer<typeof FlagValueSchema>;
