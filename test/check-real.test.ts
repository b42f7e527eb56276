// vram-plan check on REAL deployment files from public repositories (fixtures/deployments/real, sources
// in its SOURCES.md). Each file is understood: the model, GPU count, GPU type, image and flags it says
// are read as written, and check gives a verdict or one line saying what is missing.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli, unwrapped, type Ran } from "./helpers/cli.js";
import { logicalCheckText } from "./helpers/check-text.js";
import { readDeploymentFile, type Deployment } from "../src/sources/deployments.js";

const R = "fixtures/deployments/real/";

function read(name: string): ReturnType<typeof readDeploymentFile> {
  return readDeploymentFile(R + name, readFileSync(R + name, "utf8"));
}

/** What a reader must get right: the model, GPUs and the flags that change memory. */
function gist(d: Deployment): Record<string, unknown> {
  return { line: d.line, model: d.model, gpuCount: d.gpuCount, gpuType: d.gpuType, image: d.image ?? null, devices: d.devices ?? null };
}

async function check(argv: string[]): Promise<Ran> {
  const r = await runCli(["check", ...argv, "--offline", "--no-config"]);
  return { ...r, out: logicalCheckText(argv, r.out) };
}

describe("real files: what each reader finds", () => {
  it.each<[string, Record<string, unknown>, Record<string, string | true>]>([
    // GKE samples: the GPU from cloud.google.com/gke-accelerator, the release from the image tag.
    ["gke-gemma-2b-it-h100.yaml", { line: 33, model: "google/gemma-2b-it", gpuCount: 8, gpuType: "h100-sxm", image: "docker.io/vllm/vllm-openai:v0.10.0", devices: null }, { "tensor-parallel-size": "8" }],
    ["gke-gemma-2b-it-a100-40gb.yaml", { line: 33, model: "google/gemma-2b-it", gpuCount: 1, gpuType: "a100-40g", image: "docker.io/vllm/vllm-openai:v0.10.0", devices: null }, { "tensor-parallel-size": "1" }],
    ["gke-gemma-3-27b-it.yaml", { line: 34, model: "google/gemma-3-27b-it", gpuCount: 1, gpuType: "a100-80g", image: "docker.io/vllm/vllm-openai:v0.10.0", devices: null }, { "gpu-memory-utilization": "0.95", "max-model-len": "32768", "max-num-seqs": "4", "swap-space": "16" }],
    ["gke-gemma-7b-kvcache.yaml", { line: 33, model: "google/gemma-7b", gpuCount: 1, gpuType: "l4", image: "docker.io/vllm/vllm-openai:v0.10.0", devices: null }, { "kv-cache-dtype": "fp8_e5m2", "max-model-len": "1200" }],
    ["gke-mix-gemma-3-12b.yaml", { line: 40, model: "google/gemma-3-12b-it", gpuCount: 2, gpuType: "l4", image: "docker.io/vllm/vllm-openai:v0.10.0", devices: null }, { "tensor-parallel-size": "2", "max-model-len": "16384" }],
    // $(MODEL_ID) from the container's env; --flag=value items.
    ["gke-adk-deploy-llm.yaml", { line: 33, model: "meta-llama/Llama-3.1-8B-Instruct", gpuCount: 1, gpuType: "l4", image: "vllm/vllm-openai:v0.8.5", devices: null }, { "max-model-len": "32768", "enable-chunked-prefill": true }],
    // LeaderWorkerSet: the leader's `sh -c` script, after the ray bootstrap command.
    ["gke-lws-llama3-405b.yaml", { line: 34, model: "meta-llama/Meta-Llama-3.1-405B-Instruct", gpuCount: 8, gpuType: "h100-sxm", image: "vllm/vllm-openai:v0.8.5", devices: null }, { "tensor-parallel-size": "8", "pipeline-parallel-size": "2" }],
    ["lws-vllm-gpu.yaml", { line: 16, model: "meta-llama/Llama-3.1-405B-Instruct", gpuCount: 8, gpuType: null, image: "vllm/vllm-openai:v0.8.5", devices: null }, { "tensor-parallel-size": "8", "pipeline-parallel-size": "2" }],
    ["gke-nemo-rl-gemma3-27b.yaml", { line: 33, model: "/data/nemo_rl_gemma3_27b_3_11/hf3-11", gpuCount: 8, gpuType: "h100-sxm", image: "nvcr.io/nvidia/vllm:26.02-py3", devices: null }, { "tensor-parallel-size": "4", "max-model-len": "4096" }],
    ["k8s-examples-vllm-deployment.yaml", { line: 20, model: "google/gemma-3-1b-it", gpuCount: 1, gpuType: null, image: "vllm/vllm-openai:v0.11.0", devices: null }, { "gpu-memory-utilization": "0.85", "max-num-seqs": "64" }],
    // docker run: the image's tag, --gpus '"device=0"' and a local model path.
    ["openreinforcedagent-docker-run.sh", { line: 1, model: "/workspace/vllm-models/vllm-9", gpuCount: 1, gpuType: null, image: "vllm/vllm-openai:v0.7.2", devices: ["0"] }, { quantization: "bitsandbytes", "gpu-memory-utilization": "0.8", "max-model-len": "2048" }],
    // A third-party vLLM image: its entrypoint is the server; --gpus '"device=1"'.
    ["stepup-docker-run-vastai.sh", { line: 2, model: "/workspace/tuning/pretrained_models/exported_full_model", gpuCount: 1, gpuType: null, image: "vastai/vllm:v0.7.0-cuda-12.1-pytorch-2.5.1-py312", devices: ["1"] }, { "gpu-memory-utilization": "0.7", "block-size": "16", "swap-space": "4" }],
    ["dagnaputra-docker-run.sh", { line: 1, model: "Qwen/Qwen2.5-7B-Instruct", gpuCount: null, gpuType: null, image: "vllm/vllm-openai:latest", devices: null }, { "max-model-len": "1024", "gpu-memory-utilization": "0.7" }],
    ["dockerapps-run.ps1", { line: 1, model: "deepseek-ai/DeepSeek-V3", gpuCount: null, gpuType: null, image: "vllm/vllm-openai:v0.6.6.post1", devices: null }, { "trust-remote-code": true }],
    // python -u -m vllm.entrypoints.openai.api_server; nohup … > log 2>&1 &; CUDA_VISIBLE_DEVICES as a prefix or exported.
    ["gpt-oss-alignment-api-server.sh", { line: 1, model: "openai/gpt-oss-20b", gpuCount: null, gpuType: null, image: null, devices: null }, { "tensor-parallel-size": "8" }],
    ["multiagentsdebate-nohup.sh", { line: 3, model: "Qwen/Qwen2.5-14B-Instruct", gpuCount: null, gpuType: null, image: null, devices: null }, { "tensor-parallel-size": "4", "max-model-len": "16384" }],
    ["gpu-bench-phi3-mini.sh", { line: 1, model: "microsoft/Phi-3-mini-4k-instruct", gpuCount: 1, gpuType: null, image: null, devices: ["0"] }, { dtype: "bfloat16", "max-num-seqs": "32", "kv-cache-dtype": "auto" }],
    ["password-locking-serve.sh", { line: 7, model: "$HOME/models/password_locked_model", gpuCount: 4, gpuType: null, image: null, devices: ["0", "1", "2", "3"] }, { "max-model-len": "2048" }],
    // The last line ends in a line continuation: 0.2, not "0.2 ".
    ["medrag-embedding-server.sh", { line: 2, model: "Qwen/Qwen3-VL-Embedding-2B", gpuCount: 1, gpuType: null, image: null, devices: ["0"] }, { runner: "pooling", "gpu-memory-utilization": "0.2" }],
    ["x-vllm-distributed.Makefile", { line: 32, model: "Qwen/Qwen3-0.6B", gpuCount: null, gpuType: null, image: null, devices: null }, { "gpu-memory-utilization": "0.8", "max-model-len": "30000", dtype: "half" }],
    // Dockerfile: shell-form ENTRYPOINT with ${MODEL_NAME:-default}; the release from FROM.
    ["koyeb-example-vllm.Dockerfile", { line: 3, model: "meta-llama/Meta-Llama-3.1-8B-Instruct", gpuCount: null, gpuType: null, image: "vllm/vllm-openai:latest", devices: null }, {}],
    // envsubst template: ${TP_SIZE_FAST} is left for --set.
    ["lahlfors-rendered-vllm-fast.yaml", { line: 26, model: "${MODEL_FAST}", gpuCount: null, gpuType: "l4", image: "vllm/vllm-openai:latest", devices: null }, { "tensor-parallel-size": "${TP_SIZE_FAST}", "max-model-len": "8192" }],
  ])("%s", (file, expected, flags) => {
    const ds = read(file).deployments;
    expect(ds).toHaveLength(1);
    const d = ds[0]!;
    expect(gist(d)).toEqual(expected);
    expect(d.args).toMatchObject(flags);
    expect(d.problem).toBeUndefined();
  });

  it("pm2 start \"vllm serve …\": two servers, neither says which GPU (both on GPU 0)", () => {
    const ds = read("subnet45-pm2-two-on-one-gpu.sh").deployments;
    expect(ds.map((d) => [d.line, d.model, d.args["gpu-memory-utilization"], d.args["quantization"], d.devices, d.host])).toEqual([
      [3, "thesven/Mistral-7B-Instruct-v0.3-GPTQ", "0.35", "gptq", null, R + "subnet45-pm2-two-on-one-gpu.sh"],
      [5, "Qwen/CodeQwen1.5-7B-AWQ", "0.65", "awq", null, R + "subnet45-pm2-two-on-one-gpu.sh"],
    ]);
  });

  it("compose: two vLLM services on CUDA_VISIBLE_DEVICES=0, values from the .env beside it, depends_on", () => {
    const text = readFileSync(`${R}memoria_vllm/docker-compose.yml`, "utf8");
    const bare = readDeploymentFile(`${R}memoria_vllm/docker-compose.yml`, text).deployments;
    expect(bare.map((d) => d.model)).toEqual(["${MODEL_EMBED_NAME}", "${MODEL_GEN_NAME}"]);
    const dotenv = { MODEL_EMBED_NAME: "Qwen/Qwen3-Embedding-0.6B", MODEL_GEN_NAME: "Qwen/Qwen3-4B-Thinking-2507-FP8", VLLM_EMBED_GPU_MEMORY: "0.3", VLLM_GEN_GPU_MEMORY: "0.6" };
    const ds = readDeploymentFile(`${R}memoria_vllm/docker-compose.yml`, text, { dotenv }).deployments;
    expect(ds.map((d) => [d.name, d.model, d.args["gpu-memory-utilization"], d.args["max-num-seqs"], d.devices, d.dependsOn ?? []])).toEqual([
      ["vllm-embedding", "Qwen/Qwen3-Embedding-0.6B", "0.3", "256", ["0"], []],
      ["vllm-generation", "Qwen/Qwen3-4B-Thinking-2507-FP8", "0.6", "128", ["0"], ["vllm-embedding"]],
    ]);
    // ${VLLM_GEN_MAX_MODEL_LEN:-8192}: the default when .env does not set it.
    expect(ds[1]!.args["max-model-len"]).toBe("8192");
  });

  it("compose: the vLLM image without a command is a deployment that cannot start", () => {
    const ds = read("dagnaputra-compose-no-command.yml").deployments;
    expect(ds.map((d) => [d.name, d.line, d.model, d.gpuCount, d.problem])).toEqual([
      ["llm-service", 34, null, 1, "runs vllm/vllm-openai:latest without a command: no model is given, so vLLM would not start"],
    ]);
  });

  it("KServe: ServingRuntime and InferenceService are read apart and paired by runtime name", () => {
    const rt = read("llmops-kserve-servingruntime.yaml");
    const isvc = read("llmops-kserve-inferenceservice.yaml");
    expect(rt.deployments).toEqual([]);
    expect(rt.runtimes.map((r) => [r.name, r.words.map((w) => w.text)])).toEqual([
      ["qwen25-05b-instruct", ["python", "-m", "vllm.entrypoints.openai.api_server", "--port=8080", "--model=/mnt/models", "--served-model-name={{.Name}}", "--max-model-len", "32768"]],
    ]);
    expect(isvc.services.map((s) => [s.name, s.runtime, s.storageUri, s.gpuCount])).toEqual([
      ["qwen25-05b-instruct", "qwen25-05b-instruct", "oci://quay.io/redhat-ai-services/modelcar-catalog:qwen2.5-0.5b-instruct", 1],
    ]);
  });

  it("files that hold no deployment, a template, and real broken YAML", () => {
    expect(read("gke-adc-helm-template-deployment.yaml").notes).toEqual(["a Helm/Go template ({{ }} on line 18): render it first (helm template …) and check the output"]);
    // Both are invalid YAML as published (kubectl refuses them too): a syntax error with its line, not a guess.
    expect(() => read("gke-infgw-llama3-8b.yaml")).toThrow(`${R}gke-infgw-llama3-8b.yaml:16: YAML syntax error: Nested mappings are not allowed in compact mappings`);
    expect(() => read("gke-model-armor-gemma.yaml")).toThrow(`${R}gke-model-armor-gemma.yaml:36: YAML syntax error: All sequence items must start at the same column`);
  });
});

describe("real files: verdicts", () => {
  it("GKE's ADK sample (Llama-3.1-8B, max-model-len 32768 on one L4, vLLM 0.8.5 from the tag) does not start", async () => {
    const result = await check([`${R}gke-adk-deploy-llm.yaml`]);
    expect(result.code).toBe(1);
    // L4: 22.06 GiB × 0.90 = 19.86 GiB; weights 14.96 GiB + activations ≈ 1.5 GiB leave 3.42 GiB of KV;
    // one 32,768-token request needs 32,768 × 128 KiB (32 layers × 2 × 8 KV heads × 128 × 2 B) = 4.00 GiB.
    expect(result.out).toContain(
      `FAIL ${R}gke-adk-deploy-llm.yaml:33 vllm-llama3-deployment/inference-server — meta-llama/Llama-3.1-8B-Instruct on 1× l4, vLLM 0.8.5: does not start: KV cache 3.42 GiB < 4.00 GiB for one 32,768-token request (vLLM's estimated maximum model length: 28,032) — fix: --max-model-len 28000 or --gpu-memory-utilization 0.93 or --kv-cache-dtype fp8`,
    );
  });

  it("docker run vllm/vllm-openai:v0.6.6.post1 with DeepSeek-V3 on one GPU: fails under v0.6.6's rules; the solve command carries the release", async () => {
    const result = await check([`${R}dockerapps-run.ps1`, "--gpu", "h100"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`FAIL ${R}dockerapps-run.ps1:1 script line 1 — deepseek-ai/DeepSeek-V3 on 1× h100-sxm, vLLM 0.6.6: does not start: no memory left for the KV cache`);
    expect(result.out).toContain("try vram-plan solve --model deepseek-ai/DeepSeek-V3 --gpu h100-sxm --vllm-version 0.6.6\n");
  });

  it("a file whose YAML makes the yaml package warn (a mapping used as a key): no warning reaches stderr", async () => {
    // The yaml package warns through process.emitWarning, which the CLI cannot redirect: count them.
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on("warning", onWarning);
    const result = await check([`${R}gke-llama4-scout.yaml`]);
    await new Promise((resolve) => setImmediate(resolve));
    process.off("warning", onWarning);
    expect(warnings).toEqual([]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok {3}fixtures\/deployments\/real\/gke-llama4-scout\.yaml:33 llama-deployment\/inference-server — meta-llama\/Llama-4-Scout-17B-16E-Instruct on 8× h100-sxm, vLLM 0\.10\.0: /);
  });

  it(":latest is planned as the newest modeled release, and says so", async () => {
    const result = await check([`${R}dagnaputra-docker-run.sh`, "--gpu", "h100"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok {3}fixtures\/deployments\/real\/dagnaputra-docker-run\.sh:1 script line 1 — Qwen\/Qwen2\.5-7B-Instruct on 1× h100-sxm, vLLM 0\.\d+\.\d+: /);
    expect(result.out).toMatch(/\n {5}note: image vllm\/vllm-openai:latest: planned as vLLM 0\.\d+\.\d+, the newest release modeled \(--vllm-version to choose\)\n/);
  });

  it("a flag the image's release no longer accepts is that deployment's finding (exit 1), not a broken run", async () => {
    const result = await check([`${R}lahlfors-vllm-governance.yaml`]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^NEED fixtures\/deployments\/real\/lahlfors-vllm-governance\.yaml:26 vllm-governance\/vllm: vLLM 0\.\d+\.\d+ would refuse its arguments: --guided-decoding-backend: removed in vLLM 0\.12\.0/);
    const old = await check([`${R}lahlfors-vllm-governance.yaml`, "--vllm-version", "0.11.0"]);
    expect(old.code).toBe(0);
    expect(old.out).toMatch(/^ok {3}.*Qwen\/Qwen2\.5-7B-Instruct on 1× l4, vLLM 0\.11\.0: /);
  });

  it("local model paths: the last component matched against the catalog, with a note; else one line", async () => {
    const result = await check([`${R}vllm-tutorial-launch.sh`, "--gpu", "h100"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("— Qwen/Qwen3-8B on 1× h100-sxm, vLLM");
    expect(result.out).toContain("model models/Qwen3-8B is neither here nor a model on the Hub: planned as Qwen/Qwen3-8B, named like its last component");
    const outcome = await check([`${R}openreinforcedagent-docker-run.sh`, "--gpu", "l40s"]);
    expect(outcome.code).toBe(1);
    expect(outcome.out).toContain(
      `NEED ${R}openreinforcedagent-docker-run.sh:1 script line 1: model path /workspace/vllm-models/vllm-9 is not on this machine, and its name "vllm-9" matches no cataloged or cached model: pass --model-map /workspace/vllm-models/vllm-9=<Hugging Face id>\n`,
    );
    const m = await check([`${R}openreinforcedagent-docker-run.sh`, "--gpu", "l40s", "--model-map", "/workspace/vllm-models/vllm-9=Qwen/Qwen2.5-7B-Instruct"]);
    expect(m.out).toContain("— Qwen/Qwen2.5-7B-Instruct on 1× l40s, vLLM 0.7.2:");
  });

  it("vllm serve --config FILE: the config beside the script is read, the command line's flags win", async () => {
    const result = await check([`${R}pesticide/start_vllm_server.sh`, "--gpu", "a100-80g"]);
    expect(result.code).toBe(0);
    // tensor-parallel-size 2 and utilization 0.6 from vllm_config.yaml; the model path's last component is Qwen2.5-7B.
    expect(result.out).toMatch(/^ok {3}fixtures\/deployments\/real\/pesticide\/start_vllm_server\.sh:11 script line 11 — Qwen\/Qwen2\.5-7B on 2× a100-80g, vLLM 0\.\d+\.\d+: .*util 0\.6,/);
    expect(result.out).toContain("flags of --config vllm_config.yaml read (the command line's win)");
  });

  it("KServe pair: the model from storageUri (an OCI modelcar named after the model), GPUs from the InferenceService", async () => {
    const result = await check([`${R}llmops-kserve-servingruntime.yaml`, `${R}llmops-kserve-inferenceservice.yaml`, "--gpu", "l4"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok {3}fixtures\/deployments\/real\/llmops-kserve-inferenceservice\.yaml:25 qwen25-05b-instruct \(runtime qwen25-05b-instruct\) — Qwen\/Qwen2\.5-0\.5B-Instruct on 1× l4, vLLM 0\.\d+\.\d+: /);
    expect(result.out).toContain("model from storageUri oci://quay.io/redhat-ai-services/modelcar-catalog:qwen2.5-0.5b-instruct (mounted at /mnt/models)");
    // A pair whose names do not match (the repository's runtime is qwen3-8b): both sides say so, the
    // InferenceService as a deployment that cannot be planned.
    const outcome = await check([`${R}rhoai-autoscaling-servingruntime.yaml`, `${R}rhoai-autoscaling-inferenceservice.yaml`, "--gpu", "l4"]);
    expect(outcome.code).toBe(1);
    expect(outcome.out).toContain(`NEED ${R}rhoai-autoscaling-inferenceservice.yaml:15 qwen25-7b-instruct: InferenceService for runtime qwen25-7b-instruct, whose ServingRuntime is not among the files given (runtimes given: qwen3-8b): pass its file too (its command decides what runs)\n`);
    expect(outcome.out).toContain(`note ${R}rhoai-autoscaling-servingruntime.yaml: ServingRuntime qwen3-8b: a template; it is checked with the InferenceService that uses it (none among the files given)\n`);
  });

  it("an InferenceService alone says one thing: a deployment that needs its ServingRuntime, not 'no vLLM deployment'", async () => {
    // It printed a note asking for the runtime's file, then "No vLLM deployment in the files given." on
    // stdout and "vram-plan: no vLLM deployment in any file given" on stderr, exit 2.
    for (const [file, line, name] of [
      ["rhoai-autoscaling-inferenceservice.yaml", 15, "qwen25-7b-instruct"],
      ["odh-registry-inferenceservice.yaml", 18, "granite-31-8b-lab-v1-140-v1"],
      ["llmops-kserve-inferenceservice.yaml", 25, "qwen25-05b-instruct"],
    ] as const) {
      const result = await check([R + file]);
      expect(result.code, file).toBe(1);
      expect(result.err, file).toBe("");
      expect(result.out.trimEnd().split("\n"), file).toEqual([
        `NEED ${R}${file}:${line} ${name}: InferenceService for runtime ${name}, whose ServingRuntime is not among the files given: pass its file too (its command decides what runs)`,
        "1 deployment checked: 0 fail, 0 pass, 1 could not be planned (what is missing is on its line).",
      ]);
    }
    const json = await runCli(["check", `${R}rhoai-autoscaling-inferenceservice.yaml`, "--json", "--offline", "--no-config"]);
    const report = JSON.parse(json.out) as { ok: boolean; summary: unknown; deployments: Array<{ name: string; model: string; gpuCount: number | null; ok: boolean; problem: string }> };
    expect(report.ok).toBe(false);
    expect(report.summary).toEqual({ deployments: 1, passing: 0, failing: 0, notPlanned: 1 });
    // The model KServe would mount (storageUri) and the GPUs of the predictor's resources, as a paired service has them.
    expect(report.deployments.map((e) => [e.name, e.model, e.gpuCount, e.ok])).toEqual([["qwen25-7b-instruct", "pvc://model-pvc-qwen3-8b/hf/instruction_tuned", 1, false]]);
    expect(report.deployments[0]?.problem).toMatch(/^InferenceService for runtime qwen25-7b-instruct, whose ServingRuntime is not among the files given: pass its file too/);
  });

  it("compose, two services on GPU 0: the second one's start-up sees what the first holds", async () => {
    const result = await check([`${R}memoria_vllm/docker-compose.yml`, "--gpu", "l4", "--set", "MODEL_EMBED_NAME=Qwen/Qwen3-0.6B", "--set", "MODEL_GEN_NAME=Qwen/Qwen3-4B"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("shares GPU 0 with vllm-generation (utilizations 0.3 + 0.6 = 0.90 of the GPU); starts first");
    expect(result.out).toMatch(/shares GPU 0 with vllm-embedding \(utilizations 0\.3 \+ 0\.6 = 0\.90 of the GPU\); starts after vllm-embedding, holding \d+\.\d\d GiB of it/);
    // Raising the generation server to 0.75 of the GPU: 0.3 + 0.75 > 1, so it cannot find its memory free.
    const over = await check([`${R}memoria_vllm/docker-compose.yml`, "--gpu", "l4", "--set", "MODEL_EMBED_NAME=Qwen/Qwen3-0.6B", "--set", "MODEL_GEN_NAME=Qwen/Qwen3-4B", "--set", "VLLM_GEN_GPU_MEMORY=0.75"]);
    expect(over.code).toBe(1);
    expect(over.out).toMatch(/FAIL fixtures\/deployments\/real\/memoria_vllm\/docker-compose\.yml:48 vllm-generation — Qwen\/Qwen3-4B on 1× l4, vLLM 0\.\d+\.\d+: does not start: \d+\.\d\d GiB free at start-up < \d+\.\d\d GiB asked for \(utilization 0\.75\)/);
  });

  it("variables set only at run time are named, with the --set that supplies them", async () => {
    const result = await check([`${R}lahlfors-rendered-vllm-fast.yaml`]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`NEED ${R}lahlfors-rendered-vllm-fast.yaml:26 vllm-fast/vllm: --tensor-parallel-size \${TP_SIZE_FAST}: $TP_SIZE_FAST is set at run time: pass --set TP_SIZE_FAST=...\n`);
    const outcome = await check([`${R}lahlfors-rendered-vllm-fast.yaml`, "--set", "TP_SIZE_FAST=1", "--set", "MODEL_FAST=Qwen/Qwen3-4B"]);
    expect(outcome.out).toMatch(/^(ok {3}|FAIL )fixtures\/deployments\/real\/lahlfors-rendered-vllm-fast\.yaml:26 vllm-fast\/vllm — Qwen\/Qwen3-4B on 1× l4, vLLM /);
  });
});

describe("real files: every one understood", () => {
  it("all of them in one run: a verdict or one line for each deployment, a note for each file without one, two files that are not YAML", async () => {
    const { readdirSync } = await import("node:fs");
    const files = [
      ...readdirSync(R).filter((f) => /\.(ya?ml|sh|ps1|tpl|Dockerfile|Makefile)$/.test(f)).map((f) => R + f),
      `${R}memoria_vllm/docker-compose.yml`,
      `${R}pesticide/start_vllm_server.sh`,
    ];
    expect(files.length).toBeGreaterThanOrEqual(44);
    const result = await check([...files, "--gpu", "h100"]);
    expect(result.code).toBe(2); // the two broken YAML files; everything else is still reported
    expect(unwrapped(result.err).trim().split("\n")).toEqual([
      `vram-plan: ${R}gke-infgw-llama3-8b.yaml:16: YAML syntax error: Nested mappings are not allowed in compact mappings`,
      `vram-plan: ${R}gke-model-armor-gemma.yaml:36: YAML syntax error: All sequence items must start at the same column`,
    ]);
    const lines = result.out.split("\n");
    const verdicts = lines.filter((l) => /^(ok {2}|FAIL|NEED) /.test(l));
    // 45 files: a Helm template (a note), 2 broken, 6 KServe halves (2 pairs planned, 1 pair whose runtime
    // names do not match: the InferenceService a NEED line, the runtime a note), the pm2 script and the
    // compose file with 2 each, 34 with one: 41.
    expect(files).toHaveLength(45);
    expect(verdicts).toHaveLength(41);
    for (const f of files) {
      // A ServingRuntime that is paired shows as its InferenceService's line.
      if (/gke-infgw|gke-model-armor|(llmops|odh-registry)-kserve-servingruntime|odh-registry-servingruntime/.test(f)) continue;
      expect(result.out, f).toContain(f);
    }
    // Every line that could not be planned says what is missing: a model that is not here (offline),
    // a run-time value, a flag the release refuses, a model path, or a KServe runtime's file.
    for (const l of verdicts.filter((v) => v.startsWith("NEED"))) {
      expect(l).toMatch(/not in the catalog|is set at run time|would refuse|is not on this machine|not available here|without a command|ServingRuntime is not among the files given/);
    }
  });
});
