// The plan command's options (model, GPU, vLLM engine flags, output), with vLLM's own flag names and
// meanings; compare takes the same ones.
import { Option, type Command } from "commander";
import { FORMATS } from "../sources/engine-flags.js";

/**
 * vLLM flags that do not change start-up memory: accepted (hidden, ignored) so a pasted `vllm serve`
 * line works, while a typo still fails as an unknown option.
 */
const IGNORED_VLLM_BOOLEANS = ["trust-remote-code", "enable-prefix-caching", "no-enable-prefix-caching", "disable-log-requests", "disable-log-stats", "enable-chunked-prefill", "enable-auto-tool-choice", "disable-custom-all-reduce", "enable-log-requests"];
const IGNORED_VLLM_VALUES = ["served-model-name", "host", "port", "seed", "tokenizer", "revision", "download-dir", "load-format", "api-key", "chat-template", "tool-call-parser", "reasoning-parser", "swap-space", "distributed-executor-backend", "uvicorn-log-level", "max-log-len", "tokenizer-mode", "config-format"];

function addIgnoredVllmOptions(cmd: Command): Command {
  for (const f of IGNORED_VLLM_BOOLEANS) cmd.addOption(new Option(`--${f}`).hideHelp());
  for (const f of IGNORED_VLLM_VALUES) cmd.addOption(new Option(`--${f} <value>`).hideHelp());
  return cmd;
}

/** The plan command's options (model, GPU, vLLM engine flags, output), shared by other commands. */
export function addEngineOptions(cmd: Command): Command {
  addIgnoredVllmOptions(cmd);
  return cmd
    .optionsGroup("Model:")
    .option("-m, --model <name|path>", "catalogue name (qwen2.5-vl-7b), Hugging Face id, or a local directory / config.json")
    .option("--offline", "never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)")
    .optionsGroup("GPU:")
    .option("-g, --gpu <id>", "GPU profile (vram-plan gpus lists them), e.g. a100-80g, h100, l40s")
    .option("--gpu-memory <size>", "CUDA-visible memory per GPU (e.g. 79.18GiB, 85GB, 81079MiB); overrides --gpu's total, or alone describes another GPU (Hopper-class compute capability assumed)")
    .option("--other-process-memory <size>", "memory other processes already hold on each GPU at start-up")
    .optionsGroup("vLLM engine (same names and meanings as vllm serve):")
    .option("--tensor-parallel-size <n>", "tensor-parallel GPUs (also -tp)")
    .option("--pipeline-parallel-size <n>", "pipeline stages (also -pp)")
    .option("--data-parallel-size <n>", "data-parallel replicas, with --enable-expert-parallel (also -dp)")
    .option("--gpu-memory-utilization <fraction>", "share of each GPU's memory vLLM may use (default 0.9; 0.92 from v0.21)")
    .option("--max-model-len <tokens>", "context length (32k = 32000, 32K = 32768, as vLLM reads it)")
    .option("--max-num-seqs <n>", "sequences per iteration")
    .option("--max-num-batched-tokens <n>", "tokens per iteration (sizes the profile run)")
    .addOption(new Option("--dtype <dtype>", "model dtype").choices(["auto", "bfloat16", "float16", "half", "float32", "float"]))
    .addOption(new Option("--kv-cache-dtype <dtype>", "KV cache dtype").choices(["auto", "fp8", "fp8_e4m3", "fp8_e5m2", "bfloat16", "float16"]))
    .option("--block-size <tokens>", "KV cache block size")
    .option("--enforce-eager", "no CUDA graphs, no torch.compile")
    .option("--kv-cache-memory <size>", "KV cache size per GPU, bypassing --gpu-memory-utilization")
    .option("--limit-mm-per-prompt <json>", "multimodal items per prompt, e.g. '{\"image\":1,\"video\":0}'")
    .option("--mm-processor-kwargs <json>", "processor overrides, e.g. '{\"max_pixels\":1003520}'")
    .option("--mm-encoder-tp-mode <mode>", "weights (shard the vision tower) or data (replicate it)")
    .option("--skip-mm-profiling", "skip the multimodal encoder in the profile run")
    .option("--quantization, -q <method>", "quantization method (fp8 quantizes a 16-bit checkpoint online)")
    .option("--enable-expert-parallel", "place whole experts on ranks")
    .option("--disable-hybrid-kv-cache-manager", "store every token in every layer (sliding-window models)")
    .option("--vllm-version <version>", "vLLM release whose accounting to model (default: newest modelled)")
    .addOption(new Option("--usage-context <ctx>", "server (vllm serve) or offline (the LLM class): they have different defaults").choices(["server", "offline"]))
    .optionsGroup("Output:")
    .addOption(new Option("--format <format>", "output format").choices([...FORMATS]))
    .option("--json", "same as --format json")
    .option("--explain", "print the arithmetic line by line with sources")
    .option("--no-color", "no colours (also NO_COLOR, or when output is not a terminal)");
}
