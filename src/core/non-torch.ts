// Memory outside PyTorch's allocator that vLLM sees at start-up.

/**
 * The CUDA context of one process: total − free − reserved right after CUDA init, measured on an
 * H100 80GB HBM3 with torch 2.11 / CUDA 13 / driver 580 (fixtures/torch/sampler-h100.json, and the
 * same 0.606 GiB in fixtures/offline/h100-offline-qwen2.5-vl-7b.json "after_cuda_init").
 */
export const CUDA_CONTEXT_BYTES = 650_969_088;

/**
 * A lower bound of the context on other stacks: an RTX 3090 with vLLM 0.6.4 logged all of its
 * non-torch memory — context included — as 0.35 GiB ("non_torch_memory=0.35GiB", issue #10517,
 * fixtures/vllm-logs/calibration.jsonl). The start-up check is called certain to fail only when it
 * fails even with this context, and "may fail" between the two.
 */
export const CUDA_CONTEXT_MIN_BYTES = Math.round(0.35 * 2 ** 30);

/**
 * vLLM's "non-torch forward increase" during load and profiling (lazily loaded kernel images,
 * library handles; NCCL excluded since v0.11): the median of five logged values, 0.11–0.25 GiB
 * (0.21 L40S TP8 v0.10.2; 0.11 24 GB v0.8; 0.16 H100 v0.6.6; 0.25 RTX 4090 TP2 v0.7; 0.20 PR #14447),
 * fixtures/vllm-logs.
 */
export const NON_TORCH_INCREASE_BYTES = Math.round(0.2 * 2 ** 30);

/**
 * NCCL communicator and custom all-reduce buffers per rank when TP/PP > 1. Before v0.11 these were
 * created after the baseline snapshot and counted as non-torch; since PR #25359 they only reduce the
 * free memory seen by the start-up check. From a real TP2 start-up (RTX 5090, 2026, calibration.jsonl:
 * "Free memory on device (30.27/31.4 GiB)" on TP0 and "(30.5/31.4 GiB)" on TP1): 1.13 and 0.90 GiB used
 * before the check, less the CUDA context above, leaves 0.52 and 0.29 GiB; their mean, 0.4 GiB, is used.
 */
export const NCCL_BYTES_PER_RANK = Math.round(0.4 * 2 ** 30);
