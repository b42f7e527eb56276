// The schema of `.vram-plan.yaml` (zod; unknown keys are errors). A module of its own so that zod is
// loaded only when a repository has such a file (readRepoConfig), not on every `check`.
import * as z from "zod";
import { refineUtilization } from "./vllm-values.js";

const text = z.string().min(1);
export const RepoConfigSchema = z.strictObject({
  /** Files to check when none are given: paths or globs (*, **, ?), relative to the config file. */
  files: z.array(text).min(1).optional(),
  /** GPU for deployments whose file names none (a vram-plan GPU id). */
  gpu: text.optional(),
  /** CUDA-visible memory per GPU (e.g. 48GiB), overriding the GPU profile's. */
  gpuMemory: text.optional(),
  /** vLLM release for deployments whose image does not pin one. */
  vllmVersion: text.optional(),
  /** Local model paths as written in the files → the model they hold (a Hugging Face id or catalog name). */
  modelMap: z.record(text, text).optional(),
  /** Values of variables set only at run time (like --set NAME=VALUE). */
  set: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a variable name"), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Treat every shell script and compose file given as running on one machine (their GPUs are shared). */
  oneHost: z.boolean().optional(),
  require: z
    .strictObject({
      concurrency: z.union([z.number().int().positive(), text]).optional(),
      context: z.union([z.number().int().positive(), text]).optional(),
      maxUtilization: z.number().superRefine(refineUtilization).optional(),
      headroom: text.optional(),
    })
    .optional(),
  offline: z.boolean().optional(),
});

export type RepoConfig = z.infer<typeof RepoConfigSchema>;
