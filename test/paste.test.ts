// A pasted vLLM command line plans exactly as the same flags given to vram-plan (issue #11.3), and
// -dp shows the deployment as TP × PP × DP GPUs with per-GPU figures unchanged (issue #11.4).
import { describe, expect, it } from "vitest";
import { runCli, unwrapped } from "./helpers/cli.js";

async function planJson(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; plan: Record<string, unknown> }> {
  const r = await runCli(["--json", ...argv], env);
  expect(r.err).toBe("");
  return { code: r.code, plan: JSON.parse(r.out) as Record<string, unknown> };
}

const FLAGS = ["--model", "Qwen/Qwen2.5-7B-Instruct", "--gpu", "l40s", "--tensor-parallel-size", "2", "--max-model-len", "16384", "--gpu-memory-utilization", "0.85", "--max-num-seqs", "64"];

describe("pasted command lines", () => {
  it("-- vllm serve ... gives the same plan as the flags", async () => {
    const flags = await planJson(FLAGS);
    const pasted = await planJson(["--gpu", "l40s", "--", "vllm", "serve", "Qwen/Qwen2.5-7B-Instruct", "-tp", "2", "--max_model_len", "16k", "--gpu-memory-utilization=0.85", "--max-num-seqs", "64", "--port", "8000", "--trust-remote-code"]);
    // 16k = 16,000 (human_readable_int), so set the flags' value to match before comparing.
    const flags16k = await planJson([...FLAGS.slice(0, 6), "--max-model-len", "16000", ...FLAGS.slice(8)]);
    expect(pasted.plan).toEqual(flags16k.plan);
    expect(flags.code).toBe(pasted.code);
  });

  it("--command with python -m, quoting, continuations and ${VAR:-default}", async () => {
    const flags = await planJson(FLAGS);
    const line = "CUDA_VISIBLE_DEVICES=0,1 python3 -m vllm.entrypoints.openai.api_server \\\n  --model 'Qwen/Qwen2.5-7B-Instruct' \\\n  --tensor-parallel-size ${TP:-2} --max-model-len \"${MAX_LEN}\" \\\n  --gpu-memory-utilization 0.85 --max-num-seqs 64 > server.log 2>&1 &";
    const pasted = await planJson(["--gpu", "l40s", "--command", line], { MAX_LEN: "16384" });
    expect(pasted.plan).toEqual(flags.plan);
  });

  it("docker run ... vllm/vllm-openai:TAG: the tag selects the release", async () => {
    const line = "docker run --runtime nvidia --gpus all -v ~/.cache/huggingface:/root/.cache/huggingface -p 8000:8000 --ipc=host vllm/vllm-openai:v0.10.1 --model Qwen/Qwen2.5-7B-Instruct -tp 2 --max-model-len 16384 --gpu-memory-utilization 0.85 --max-num-seqs 64";
    const pasted = await planJson(["--gpu", "l40s", "--command", line]);
    const flags = await planJson([...FLAGS, "--vllm-version", "0.10.1"]);
    expect((pasted.plan["engine"] as Record<string, unknown>)["vllmVersion"]).toBe("0.10.1");
    expect(pasted.plan).toEqual(flags.plan);
  });

  it("an unset variable without a default, and a line with no vLLM in it, are bad input", async () => {
    const unset = await runCli(["--gpu", "l40s", "--command", "vllm serve $MODEL"]);
    expect(unset.code).toBe(2);
    expect(unset.err).toBe("vram-plan: --command: $MODEL is not set (set it, or write ${MODEL:-default})\n");
    const none = await runCli(["--gpu", "l40s", "--command", "python app.py --port 8000"]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^vram-plan: --command: no vLLM server command in 'python app.py --port 8000'/);
  });

  it("a model given twice, differently, is bad input", async () => {
    const r = await runCli(["--model", "qwen2.5-7b", "--gpu", "l40s", "--", "vllm", "serve", "Qwen/Qwen3-8B"]);
    expect(r.code).toBe(2);
    expect(unwrapped(r.err)).toBe("vram-plan: --model qwen2.5-7b: the vLLM command serves Qwen/Qwen3-8B; give one model\n");
  });

  it("vram-plan's own option inside the pasted command is named as such, not 'did you mean' itself", async () => {
    const after = await runCli(["--gpu", "h100", "--", "vllm", "serve", "Qwen/Qwen2.5-7B-Instruct", "--format", "json"]);
    expect(after.code).toBe(2);
    expect(unwrapped(after.err)).toBe("vram-plan: --format is vram-plan's option, not vLLM's: give it outside the vLLM command (vram-plan plan --format ... -- vllm serve ...)\n");
    const inside = await runCli(["--gpu", "h100", "--command", "vllm serve Qwen/Qwen2.5-7B-Instruct --json"]);
    expect(inside.code).toBe(2);
    expect(inside.err).toMatch(/^vram-plan: --json is vram-plan's option, not vLLM's/);
  });

  it("--device cpu is not a GPU deployment: exit 0 with a note", async () => {
    const r = await runCli(["--gpu", "h100", "--", "vllm", "serve", "Qwen/Qwen2.5-7B-Instruct", "--device", "cpu"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("vLLM runs on the CPU here (--device cpu): not a GPU deployment, nothing to plan.\n");
  });
});

describe("-dp", () => {
  it("counts TP × PP × DP GPUs and keeps the per-GPU figures of one replica", async () => {
    const one = await planJson(["--model", "qwen2.5-7b", "--gpu", "h100", "-tp", "2"]);
    const dp = await planJson(["--model", "qwen2.5-7b", "--gpu", "h100", "-tp", "2", "-dp", "3"]);
    expect(dp.plan["gpu"]).toEqual({ ...(one.plan["gpu"] as object), count: 6, dataParallelSize: 3 });
    expect(dp.plan["perGpu"]).toEqual(one.plan["perGpu"]);
    const table = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "-tp", "2", "-dp", "3"]);
    // The header, wrapped to fit 80 columns (continuation lines indented by two).
    const lines = table.out.split("\n");
    const header = lines.slice(0, lines.findIndex((l) => l.includes("STARTS")) + 1).map((l) => l.trim()).join(" ");
    expect(header).toBe("Qwen/Qwen2.5-7B-Instruct on 6 × NVIDIA H100 80GB HBM3 (TP 2 × PP 1 × DP 3; figures per GPU) vLLM 0.29.0 (V1): STARTS");
  });
});

describe("--config FILE", () => {
  it("reads a vLLM config YAML as vLLM does, the command line's own flags winning", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-config-"));
    const file = join(dir, "serve.yaml");
    writeFileSync(file, "model: Qwen/Qwen2.5-7B-Instruct\ntensor-parallel-size: 2\nmax-model-len: 16384\ngpu-memory-utilization: 0.5\nmax_num_seqs: 64\nenable-prefix-caching: true\n");
    const flags = await planJson(FLAGS);
    const viaConfig = await planJson(["--gpu", "l40s", "--", "vllm", "serve", "--config", file, "--gpu-memory-utilization", "0.85"]);
    expect(viaConfig.plan).toEqual(flags.plan);
    const notYaml = await runCli(["--gpu", "l40s", "--", "vllm", "serve", "m", "--config", join(dir, "serve.json")]);
    expect(notYaml.code).toBe(2);
    expect(unwrapped(notYaml.err)).toBe(`vram-plan: --config ${join(dir, "serve.json")}: vLLM reads only .yaml / .yml config files\n`);
    // A YAML syntax error: file and line as check writes them, not the parser's 'at line 2, column 1:' left dangling.
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "tensor-parallel-size: [1,\n");
    const bad = await runCli(["--gpu", "l40s", "--", "vllm", "serve", "m", "--config", broken]);
    expect(bad.code).toBe(2);
    expect(unwrapped(bad.err)).toBe(`vram-plan: --config ${broken}:2: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]\n`);
  });
});
