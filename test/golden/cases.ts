// The plans whose rendered output is kept in test/golden/ (layout only: the numbers themselves are
// asserted, worked by hand, in the unit tests). Each is rendered as a table, markdown, JSON and the
// table with --explain. The release is pinned so a newly modeled release does not move them.
// After a change to a renderer or to the core's numbers: `npm run golden:update`, then review the diff.

export interface GoldenCase {
  name: string;
  argv: string[];
}

export const GOLDEN_CASES: readonly GoldenCase[] = [
  // A vision model that starts: encoder peak, what-ifs.
  { name: "qwen2.5-vl-7b-a100", argv: ["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--vllm-version", "0.11.0"] },
  // A dense model that does not start on two GPUs: diagnostics and their fixes.
  { name: "llama3.1-70b-l40s-tp2", argv: ["--model", "llama3.1-70b", "--gpu", "l40s", "--tensor-parallel-size", "2", "--vllm-version", "0.11.0"] },
  // A hybrid (Gated DeltaNet + attention) model: Mamba state pages in the KV cache.
  { name: "qwen3.5-27b-h100", argv: ["--model", "qwen3.5-27b", "--gpu", "h100", "--max-model-len", "32k", "--vllm-version", "0.19.0"] },
  // A v0.21+ release: the CUDA-graph estimate comes out of the KV cache, with vLLM's equivalent
  // --gpu-memory-utilization and the --kv-cache-memory that restore the KV cache of releases before it.
  { name: "qwen2.5-7b-l4-v0.27", argv: ["--model", "qwen2.5-7b", "--gpu", "l4", "--max-model-len", "4096", "--dtype", "float16", "--gpu-memory-utilization", "0.85", "--vllm-version", "0.27.1"] },
  // An fp8 MoE checkpoint over two pipeline stages of two GPUs each: one budget per stage.
  { name: "qwen3-30b-a3b-fp8-l4-tp2-pp2", argv: ["--model", "qwen3-30b-a3b-fp8", "--gpu", "l4", "--tensor-parallel-size", "2", "--pipeline-parallel-size", "2", "--vllm-version", "0.11.0"] },
];

/** The outputs kept per case: file suffix → the extra argv that produces it. */
export const GOLDEN_FORMATS: Readonly<Record<string, readonly string[]>> = {
  "table.txt": [],
  "md": ["--format", "markdown"],
  "json": ["--json"],
  "explain.txt": ["--explain"],
};
