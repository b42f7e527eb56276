// Values vLLM itself refuses (or silently ignores): each check returns what is wrong in one line, or
// null, so the argument reader (vllm-flags.ts) refuses them naming the flag, and a plan is never made
// for a configuration vLLM would not run as written.
import { excerpt } from "../limits.js";

/**
 * --block-size: vllm/config/cache.py `BlockSize = Literal[1, 8, 16, 32, 64, 128]` (256 added later),
 * which EngineArgs turns into argparse choices; releases that made block_size a plain int > 0 select
 * an attention backend that needs a multiple of 16 (FlashAttention / Triton `MultipleOf(16)`,
 * "block_size not supported"). A value no release runs is refused; one some release runs is kept.
 */
export const VLLM_BLOCK_SIZES: readonly number[] = [1, 8, 16, 32, 64, 128, 256];

export function blockSizeProblem(blockSize: number): string | null {
  if (VLLM_BLOCK_SIZES.includes(blockSize) || (blockSize > 0 && blockSize % 16 === 0)) return null;
  return `${blockSize} is not a block size vLLM runs; it takes ${VLLM_BLOCK_SIZES.join(", ")} (vllm/config/cache.py BlockSize) or, where any integer is taken, a multiple of 16 (its CUDA attention backends)`;
}

/**
 * --gpu-memory-utilization: vllm/config/cache.py CacheConfig `gpu_memory_utilization: float =
 * Field(default=0.9, gt=0, le=1)`. The one range check of a utilization: vLLM's flag as read from any
 * command line or file, a --sweep axis of it, and vram-plan's --max-utilization ceiling on it.
 */
export function utilizationProblem(utilization: number): string | null {
  return utilization > 0 && utilization <= 1 ? null : "expected a fraction in (0, 1]";
}

/** utilizationProblem as a zod refinement, for files that carry a utilization (one range, one message). */
export function refineUtilization(utilization: number, ctx: { addIssue(issue: { code: "custom"; message: string }): void }): void {
  const problem = utilizationProblem(utilization);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
}

/**
 * The modalities vLLM registers (vllm/multimodal: ImagePlugin "image", VideoPlugin "video",
 * AudioPlugin "audio"; MultiModalConfig._validate_limit_per_prompt keys the same names).
 * Any other key is ignored by vLLM ("Detected extra keys in `--limit-mm-per-prompt` which are not
 * registered as multi-modal plugins ... They will be ignored", vllm/multimodal/registry.py), so the
 * limit meant for images stays at its default: refused here rather than planned silently wrong.
 */
export const VLLM_MODALITIES: readonly string[] = ["image", "video", "audio"];

export function modalityProblem(key: string): string | null {
  if (VLLM_MODALITIES.includes(key)) return null;
  const near = VLLM_MODALITIES.find((m) => key.toLowerCase().replace(/s$/, "") === m);
  return `'${excerpt(key)}' is not a modality vLLM knows; ${near ? `did you mean '${near}'? ` : ""}vLLM ignores keys other than ${VLLM_MODALITIES.join(", ")} and keeps the default limit`;
}
