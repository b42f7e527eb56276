import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../src/errors.js";
import {
  gpuIdFromLabel,
  parseTokenCount,
  readDeployments,
  vllmConfigToArgv,
  type Deployment,
} from "../src/sources/deployments.js";
import { loadVramPlanSchema } from "../src/sources/deployments/vram-plan.js";
import { VramPlanFileSchema } from "../src/sources/deployments/vram-plan-schema.js";

// vram-plan files are validated with a schema loaded on first need (check does it through
// readDeploymentFileWithSchemas); these tests read synchronously, so load it once here.
beforeAll(loadVramPlanSchema);

const DIR = fileURLToPath(new URL("../fixtures/deployments/", import.meta.url));

function fixture(name: string): Deployment[] {
  return readDeployments(`fixtures/deployments/${name}`, readFileSync(DIR + name, "utf8"));
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

function fixtureError(name: string): string {
  const e = errorOf(() => fixture(name));
  expect(e.subject).toBe(`fixtures/deployments/${name}`);
  return e.message;
}

/** The fields that say what to plan (file/argv/source checked separately where it matters). */
function core(d: Deployment): Omit<Deployment, "file" | "argv" | "source" | "notes" | "image" | "devices" | "host" | "dependsOn" | "limits"> {
  // limits (memory, /dev/shm) are tested in check-host.test.ts.
  const { file: _f, argv: _a, source: _s, notes: _n, image: _i, devices: _d, host: _h, dependsOn: _o, limits: _l, ...rest } = d;
  return rest;
}

describe("fixtures", () => {
  it("vllm-config.yaml (vLLM --config file)", () => {
    const ds = fixture("vllm-config.yaml");
    expect(ds).toEqual([
      {
        file: "fixtures/deployments/vllm-config.yaml",
        line: 3,
        name: "vllm-config.yaml",
        model: "Qwen/Qwen2.5-32B-Instruct-AWQ",
        args: {
          "tensor-parallel-size": "2",
          "max-model-len": "32768",
          "gpu-memory-utilization": "0.90",
          "max-num-seqs": "64",
          "enable-prefix-caching": true,
          "kv-cache-dtype": "fp8",
          "compilation-config": '{"cudagraph_mode":"FULL_AND_PIECEWISE"}',
          "cuda-graph-sizes": "1 2 4 8",
          port: "8000",
        },
        argv: [
          "--model",
          "Qwen/Qwen2.5-32B-Instruct-AWQ",
          "--tensor_parallel_size",
          "2",
          "--max-model-len",
          "32768",
          "--gpu_memory_utilization",
          "0.90",
          "--max_num_seqs",
          "64",
          "--enable-prefix-caching",
          "--kv-cache-dtype",
          "fp8",
          "--compilation-config",
          '{"cudagraph_mode":"FULL_AND_PIECEWISE"}',
          "--cuda-graph-sizes",
          "1",
          "2",
          "4",
          "8",
          "--port",
          "8000",
        ],
        gpuCount: null,
        gpuType: null,
        constraints: {},
        source: "vllm-config",
        notes: ["enforce_eager: false is ignored (vLLM drops false booleans from config files)"],
      },
    ]);
  });

  it("serve.sh (two servers, continuations, exported CUDA_VISIBLE_DEVICES)", () => {
    const ds = fixture("serve.sh");
    expect(ds.map(core)).toEqual([
      {
        line: 10,
        name: "script line 10",
        model: "meta-llama/Llama-3.1-70B-Instruct",
        args: {
          "tensor-parallel-size": "4",
          "max-model-len": "16384",
          "gpu-memory-utilization": "0.92",
          "enable-chunked-prefill": true,
          "max-num-batched-tokens": "8192",
          "limit-mm-per-prompt": '{"image": 0}',
          "served-model-name": "llama 70b",
          port: "8000",
        },
        gpuCount: 4,
        gpuType: null,
        constraints: {},
      },
      {
        line: 20,
        name: "script line 20",
        model: "Qwen/Qwen2.5-7B-Instruct",
        args: { port: "8001", "tensor-parallel-size": "1", dtype: "bfloat16", "enforce-eager": true },
        gpuCount: 1,
        gpuType: null,
        constraints: {},
      },
    ]);
    expect(ds.every((d) => d.source === "shell" && d.notes.length === 0)).toBe(true);
    expect(ds[1]!.argv).toEqual(["--model", "Qwen/Qwen2.5-7B-Instruct", "--port", "8001", "-tp", "1", "--dtype", "bfloat16", "--enforce-eager"]);
  });

  it("Dockerfile (vllm-openai base image, exec-form CMD of flags over continuation lines)", () => {
    expect(fixture("Dockerfile")).toEqual([
      {
        file: "fixtures/deployments/Dockerfile",
        line: 11,
        name: "CMD line 11",
        model: "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
        args: {
          "tokenizer-mode": "mistral",
          "max-model-len": "32768",
          "tensor-parallel-size": "2",
          "limit-mm-per-prompt": '{"image": 4}',
        },
        argv: [
          "--model",
          "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
          "--tokenizer-mode",
          "mistral",
          "--max-model-len",
          "32768",
          "--tensor-parallel-size",
          "2",
          "--limit-mm-per-prompt",
          '{"image": 4}',
        ],
        gpuCount: null,
        gpuType: null,
        constraints: {},
        source: "dockerfile",
        notes: [],
        image: "vllm/vllm-openai:v0.10.1.1",
        devices: null,
        host: null,
      },
    ]);
  });

  it("Dockerfile.api-server (multi-stage, exec-form ENTRYPOINT + CMD)", () => {
    expect(fixture("Dockerfile.api-server").map(core)).toEqual([
      {
        line: 8,
        name: "ENTRYPOINT+CMD line 8",
        model: "google/gemma-2-9b-it",
        args: { "max-model-len": "8192", "gpu-memory-utilization": "0.85" },
        gpuCount: null,
        gpuType: null,
        constraints: {},
      },
    ]);
  });

  it("docker-compose.yaml (command list, count 2; string command with positional model, count all)", () => {
    const ds = fixture("docker-compose.yaml");
    expect(ds.map(core)).toEqual([
      {
        line: 3,
        name: "vllm",
        model: "Qwen/Qwen2.5-72B-Instruct-AWQ",
        args: {
          "tensor-parallel-size": "2",
          "max-model-len": "32768",
          "gpu-memory-utilization": "0.90",
          "enable-prefix-caching": true,
        },
        gpuCount: 2,
        gpuType: null,
        constraints: {},
      },
      {
        line: 30,
        name: "embeddings",
        model: "BAAI/bge-m3",
        args: { task: "embed", "max-model-len": "8192", "gpu-memory-utilization": "0.2" },
        gpuCount: null,
        gpuType: null,
        constraints: {},
      },
    ]);
    expect(ds[1]!.notes).toEqual(["GPU reservation count: all; every GPU of the host is visible"]);
    expect(ds[0]!.source).toBe("compose");
  });

  it("k8s-deployment.yaml (Service + Deployment + StatefulSet; nodeSelector and node affinity)", () => {
    const ds = fixture("k8s-deployment.yaml");
    expect(ds.map(core)).toEqual([
      {
        line: 31,
        name: "llama-8b/vllm",
        model: "meta-llama/Llama-3.1-8B-Instruct",
        args: {
          "max-model-len": "65536",
          "gpu-memory-utilization": "0.95",
          "max-num-seqs": "256",
          "enable-prefix-caching": true,
        },
        gpuCount: 1,
        gpuType: "a100-80g",
        constraints: {},
      },
      {
        line: 75,
        name: "qwen-coder/server",
        model: "Qwen/Qwen2.5-Coder-32B-Instruct",
        args: { "tensor-parallel-size": "2", "max-model-len": "32768", "kv-cache-dtype": "fp8" },
        gpuCount: 2,
        gpuType: "h100-sxm",
        constraints: {},
      },
    ]);
    expect(ds.every((d) => d.source === "kubernetes" && d.notes.length === 0)).toBe(true);
  });

  it("k8s-sh-c.yaml (vLLM docs example: /bin/sh -c with the command in args)", () => {
    expect(fixture("k8s-sh-c.yaml")).toEqual([
      {
        file: "fixtures/deployments/k8s-sh-c.yaml",
        line: 48,
        name: "mistral-7b",
        model: "mistralai/Mistral-7B-Instruct-v0.3",
        args: { "trust-remote-code": true, "enable-chunked-prefill": true, "max-num-batched-tokens": "1024" },
        argv: ["--trust-remote-code", "--enable-chunked-prefill", "--max_num_batched_tokens", "1024"],
        gpuCount: 1,
        gpuType: "l4",
        constraints: {},
        source: "kubernetes",
        notes: [],
        image: "vllm/vllm-openai:latest",
        devices: null,
        host: null,
        // The docs' pod: 6G requested, 20G limit, a 2Gi memory emptyDir at /dev/shm.
        limits: {
          runtime: "kubernetes",
          memoryLimit: { bytes: 20e9, text: "20G", where: "resources.limits.memory" },
          memoryRequest: { bytes: 6e9, text: "6G", where: "resources.requests.memory" },
          shm: { kind: "sized", bytes: 2 * 2 ** 30, text: "2Gi", where: "emptyDir shm sizeLimit" },
        },
      },
    ]);
  });

  it("k8s-job-script.yaml (bash -lc block script, $MODEL_ID from the container env, instance type)", () => {
    expect(fixture("k8s-job-script.yaml").map(core)).toEqual([
      {
        line: 13,
        name: "eval-server",
        model: "meta-llama/Llama-3.3-70B-Instruct",
        args: { "tensor-parallel-size": "4", "max-model-len": "131072" },
        gpuCount: 4,
        gpuType: "l40s",
        constraints: {},
      },
    ]);
  });

  it("vram-plan.yaml (own format, 3 deployments with constraints)", () => {
    const ds = fixture("vram-plan.yaml");
    expect(ds.map(core)).toEqual([
      {
        line: 3,
        name: "chat",
        model: "Qwen/Qwen3-32B",
        args: { "tensor-parallel-size": "2", "max-model-len": "32768", "enable-prefix-caching": true, "kv-cache-dtype": "fp8" },
        gpuCount: 2,
        gpuType: "h100",
        constraints: { requireConcurrency: { n: 32, len: 8000 }, requireContext: 32768, maxUtilization: 0.92, headroom: "2GiB" },
      },
      {
        line: 18,
        name: "vision",
        model: "Qwen/Qwen2.5-VL-7B-Instruct",
        args: { "max-model-len": "16384", "limit-mm-per-prompt": '{"image":2,"video":0}', "enforce-eager": "false" },
        gpuCount: null,
        gpuType: "l40s",
        constraints: { requireContext: 16384 },
      },
      {
        line: 28,
        name: "small",
        model: "meta-llama/Llama-3.2-3B-Instruct",
        args: {},
        gpuCount: 1,
        gpuType: "l4",
        constraints: { requireConcurrency: { n: 8 } },
      },
    ]);
    expect(ds[1]!.argv).toEqual(["--max-model-len", "16384", "--limit-mm-per-prompt", '{"image":2,"video":0}', "--no-enforce-eager"]);
    expect(ds.every((d) => d.source === "vram-plan")).toBe(true);
  });

  it("vram-plan.json (own format as JSON)", () => {
    expect(fixture("vram-plan.json").map(core)).toEqual([
      {
        line: 3,
        name: "coder",
        model: "Qwen/Qwen2.5-Coder-7B-Instruct",
        args: { "max-model-len": "8192", "gpu-memory-utilization": "0.9" },
        gpuCount: null,
        gpuType: "a10g",
        constraints: { requireConcurrency: { n: 4, len: 8192 } },
      },
    ]);
  });
});

describe("fixture errors", () => {
  it("broken-yaml.yaml: YAML syntax error with its line", () => {
    expect(fixtureError("broken-yaml.yaml")).toBe(
      "fixtures/deployments/broken-yaml.yaml:4: YAML syntax error: Nested mappings are not allowed in compact mappings",
    );
  });

  it("no-vllm.yaml: no deployment found", () => {
    expect(fixtureError("no-vllm.yaml")).toBe(
      "fixtures/deployments/no-vllm.yaml: no vLLM deployment found (looked for vllm serve, vllm.entrypoints.openai.api_server, a vLLM --config file, vram-plan deployments)",
    );
  });

  it("missing-value.sh: the line of the flag without a value", () => {
    // Not a broken file: that one deployment cannot be planned, and says why (check: exit 1, not 2).
    expect(fixture("missing-value.sh").map((d) => d.problem)).toEqual(["line 5: --tensor-parallel-size needs a value"]);
  });

  it("vram-plan-invalid.yaml: schema path and line", () => {
    expect(fixtureError("vram-plan-invalid.yaml")).toBe(
      "fixtures/deployments/vram-plan-invalid.yaml:7: deployments[0].require.maxUtilization: expected a fraction in (0, 1]",
    );
  });
});

describe("inline cases", () => {
  it("k8s: flag without a value reports the args item line", () => {
    const text = [
      "apiVersion: apps/v1", // 1
      "kind: Deployment", // 2
      "metadata: {name: x}", // 3
      "spec:", // 4
      "  template:", // 5
      "    spec:", // 6
      "      containers:", // 7
      "        - name: vllm", // 8
      "          image: vllm/vllm-openai:latest", // 9
      "          args:", // 10
      "            - --model", // 11
      "            - org/m", // 12
      "            - --tensor-parallel-size", // 13
      "",
    ].join("\n");
    expect(readDeployments("deploy/k8s.yaml", text).map((d) => d.problem)).toEqual(["line 13: --tensor-parallel-size needs a value"]);
  });

  it("k8s: Pod with $(VAR) args, amd.com/gpu, karpenter label; List kind", () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      nodeSelector: {karpenter.k8s.aws/instance-gpu-name: h100}
      containers:
        - name: main
          image: my/vllm:1
          env: [{name: M, value: org/m}, {name: TP, value: "8"}]
          command: ["vllm", "serve", "$(M)", "--tensor-parallel-size", "$(TP)"]
          resources: {limits: {amd.com/gpu: 8}}
`;
    expect(readDeployments("p.yaml", text).map(core)).toEqual([
      {
        line: 10,
        name: "p/main",
        model: "org/m",
        args: { "tensor-parallel-size": "8" },
        gpuCount: 8,
        gpuType: "h100-sxm",
        constraints: {},
      },
    ]);
  });

  it("k8s: unknown GPU label value and several GPU types become notes", () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: nvidia.com/gpu.product, operator: In, values: [NVIDIA-L40S, NVIDIA-A10G, Weird-GPU]}
      containers:
        - name: d
          image: vllm/vllm-openai
          args: ["org/m"]
`;
    const [d] = readDeployments("d.yml", text);
    expect(d?.gpuType).toBe("l40s");
    expect(d?.model).toBe("org/m");
    expect(d?.notes).toEqual([
      "node label nvidia.com/gpu.product=Weird-GPU is not a GPU vram-plan knows",
      "node labels allow several GPU types (l40s, a10g); using l40s",
    ]);
  });

  it("compose: entrypoint sh -c, device_ids, CUDA_VISIBLE_DEVICES, ${VAR:-default}, anchors", () => {
    const text = `x-gpu: &gpu
  deploy:
    resources:
      reservations:
        devices:
          - driver: nvidia
            device_ids: ["0", "1", "2"]
            capabilities: [gpu]
services:
  a:
    <<: *gpu
    image: python:3.12
    entrypoint: ["/bin/bash", "-c"]
    environment: {MODEL: org/a}
    command:
      - |
        pip install vllm
        vllm serve $$MODEL --max-model-len \${LEN:-4096}
  b:
    image: vllm/vllm-openai:latest
    environment:
      - CUDA_VISIBLE_DEVICES=0,1
    command: ["--model", "org/b"]
`;
    const ds = readDeployments("compose.yml", text);
    expect(ds.map(core)).toEqual([
      { line: 10, name: "a", model: "org/a", args: { "max-model-len": "4096" }, gpuCount: 3, gpuType: null, constraints: {} },
      { line: 19, name: "b", model: "org/b", args: {}, gpuCount: 2, gpuType: null, constraints: {} },
    ]);
  });

  it("compose: flag without a value in a string command reports its line", () => {
    const text = "services:\n  s:\n    image: vllm/vllm-openai\n    command: --model m --max-model-len\n";
    expect(readDeployments("c.yaml", text).map((d) => d.problem)).toEqual(["line 4: --max-model-len needs a value"]);
  });

  it("shell: variables from earlier assignments, docker run --gpus, bash -c", () => {
    const text = `#!/bin/bash
MODEL=org/m
TP=\${TP:-2}
docker run --gpus '"device=0,1"' -p 8000:8000 vllm/vllm-openai:v0.9.0 \\
  --model $MODEL -tp $TP
bash -c "vllm serve \${OTHER} --port 9"
`;
    const ds = readDeployments("run.sh", text);
    expect(ds.map(core)).toEqual([
      { line: 4, name: "script line 4", model: "org/m", args: { "tensor-parallel-size": "2" }, gpuCount: 2, gpuType: null, constraints: {} },
      { line: 6, name: "script line 6", model: "${OTHER}", args: { port: "9" }, gpuCount: null, gpuType: null, constraints: {} },
    ]);
    // Left for check to name: "$OTHER is set at run time: pass --set OTHER=...".
    expect(ds[1]!.model).toBe("${OTHER}");
    expect(ds[1]!.notes).toEqual([]);
  });

  it("Dockerfile: shell-form CMD with ENV and ARG", () => {
    const text = `FROM python:3.12
ARG DEFAULT_MODEL=org/m
ENV MODEL=\${DEFAULT_MODEL} \\
    MAX_LEN=8192
# comment
CMD vllm serve "$MODEL" \\
    --max-model-len $MAX_LEN --enforce-eager
`;
    expect(readDeployments("images/Dockerfile.serve", text).map(core)).toEqual([
      {
        line: 6,
        name: "CMD line 6",
        model: "org/m",
        args: { "max-model-len": "8192", "enforce-eager": true },
        gpuCount: null,
        gpuType: null,
        constraints: {},
      },
    ]);
  });

  it("detects by content when the name says nothing", () => {
    expect(readDeployments("serve", "vllm serve org/m --port 1\n")[0]?.source).toBe("shell");
    expect(readDeployments("conf", "model: org/m\ntensor-parallel-size: 2\n")[0]?.source).toBe("vllm-config");
    expect(readDeployments("image", 'FROM vllm/vllm-openai\nCMD ["org/m"]\n')[0]?.source).toBe("dockerfile");
    expect(readDeployments("k8s.txt", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    command: [vllm, serve, m]\n")[0]?.source).toBe("kubernetes");
  });

  it("empty file and unrelated YAML: no deployment", () => {
    expect(errorOf(() => readDeployments("e.yaml", "")).message).toBe(
      "e.yaml: no vLLM deployment found (looked for vllm serve, vllm.entrypoints.openai.api_server, a vLLM --config file, vram-plan deployments)",
    );
    expect(errorOf(() => readDeployments("x.yml", "foo: 1\nbar: [a]\n")).message).toMatch(/^x\.yml: no vLLM deployment found/);
  });

  it("own format: unknown key, duplicate name, bad concurrency, flags.model", () => {
    const unknown = "deployments:\n  - name: a\n    model: m\n    gpu: l4\n    gpu_count: 2\n";
    expect(errorOf(() => readDeployments("v.yaml", unknown)).message).toBe('v.yaml:5: deployments[0]: Unrecognized key: "gpu_count"');
    const dup = "deployments:\n  - {name: a, model: m, gpu: l4}\n  - {name: a, model: m, gpu: l4}\n";
    expect(errorOf(() => readDeployments("v.yaml", dup)).message).toBe('v.yaml:3: deployments[1].name: "a" is already used on line 2');
    const conc = "deployments:\n  - name: a\n    model: m\n    gpu: l4\n    require: {concurrency: 16x}\n";
    expect(errorOf(() => readDeployments("v.yaml", conc)).message).toBe(
      'v.yaml:5: deployments[0].require.concurrency: expected N or "N@LEN" (e.g. "32@8k")',
    );
    const missing = "deployments:\n  - name: a\n    gpu: l4\n";
    expect(errorOf(() => readDeployments("v.yaml", missing)).message).toBe(
      "v.yaml:2: deployments[0].model: Invalid input: expected string, received undefined",
    );
    const flagModel = "deployments:\n  - name: a\n    model: m\n    gpu: l4\n    flags:\n      model: x\n";
    expect(errorOf(() => readDeployments("v.yaml", flagModel)).message).toBe(
      'v.yaml:6: deployments[0].flags.model: put the model in "model:", not in flags',
    );
  });

  it("YAML error in a k8s manifest's second document", () => {
    const text = "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\nspec: [a\n";
    expect(errorOf(() => readDeployments("k.yaml", text)).message).toMatch(/^k\.yaml:\d+: YAML syntax error: /);
  });
});

describe("gpuIdFromLabel", () => {
  it.each([
    ["nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB", "a100-80g"],
    ["nvidia.com/gpu.product", "NVIDIA-A100-SXM4-40GB", "a100-40g"],
    ["nvidia.com/gpu.product", "NVIDIA-A100-PCIE-40GB", "a100-40g-pcie"],
    ["nvidia.com/gpu.product", "NVIDIA-A100-80GB-PCIe", "a100-80g-pcie"],
    ["nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3", "h100-sxm"],
    ["nvidia.com/gpu.product", "NVIDIA-H100-PCIe", "h100-pcie"],
    ["nvidia.com/gpu.product", "NVIDIA-H100-NVL", "h100-nvl"],
    ["nvidia.com/gpu.product", "NVIDIA-H200", "h200"],
    ["nvidia.com/gpu.product", "NVIDIA-L40S", "l40s"],
    ["nvidia.com/gpu.product", "NVIDIA-L4", "l4"],
    ["nvidia.com/gpu.product", "NVIDIA-A10G", "a10g"],
    ["nvidia.com/gpu.product", "Tesla-T4", "t4"],
    ["nvidia.com/gpu.product", "Tesla-T4-SHARED", "t4"],
    ["nvidia.com/gpu.product", "NVIDIA-GeForce-RTX-4090", "rtx4090"],
    ["nvidia.com/gpu.product", "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", null],
    ["cloud.google.com/gke-accelerator", "nvidia-tesla-a100", "a100-40g"],
    ["cloud.google.com/gke-accelerator", "nvidia-a100-80gb", "a100-80g"],
    ["cloud.google.com/gke-accelerator", "nvidia-h100-80gb", "h100-sxm"],
    ["cloud.google.com/gke-accelerator", "nvidia-h100-mega-80gb", "h100-sxm"],
    ["cloud.google.com/gke-accelerator", "nvidia-h200-141gb", "h200"],
    ["cloud.google.com/gke-accelerator", "nvidia-l4", "l4"],
    ["cloud.google.com/gke-accelerator", "nvidia-tesla-t4", "t4"],
    ["karpenter.k8s.aws/instance-gpu-name", "a100", "a100-40g"],
    ["karpenter.k8s.aws/instance-gpu-name", "h100", "h100-sxm"],
    ["karpenter.k8s.aws/instance-gpu-name", "l40s", "l40s"],
    ["karpenter.k8s.aws/instance-gpu-name", "a10g", "a10g"],
    ["node.kubernetes.io/instance-type", "p4d.24xlarge", "a100-40g"],
    ["node.kubernetes.io/instance-type", "p4de.24xlarge", "a100-80g"],
    ["node.kubernetes.io/instance-type", "p5.48xlarge", "h100-sxm"],
    ["node.kubernetes.io/instance-type", "p5e.48xlarge", "h200"],
    ["node.kubernetes.io/instance-type", "g5.12xlarge", "a10g"],
    ["node.kubernetes.io/instance-type", "g6.xlarge", "l4"],
    ["node.kubernetes.io/instance-type", "g6e.48xlarge", "l40s"],
    ["node.kubernetes.io/instance-type", "m5.large", null],
    ["node.kubernetes.io/instance-type", "a2-ultragpu-1g", "a100-80g"],
    ["node.kubernetes.io/instance-type", "a3-highgpu-8g", "h100-sxm"],
    ["node.kubernetes.io/instance-type", "Standard_ND96isr_H100_v5", "h100-sxm"],
    ["gpu.nvidia.com/class", "H100_NVLINK_80GB", "h100-sxm"],
    ["gpu.nvidia.com/class", "A100_PCIE_80GB", "a100-80g-pcie"],
    ["kubernetes.io/hostname", "gpu-node-1", null],
  ] as const)("%s=%s → %s", (key, value, id) => {
    expect(gpuIdFromLabel(key, value)).toBe(id);
  });
});

describe("helpers", () => {
  it("vllmConfigToArgv mirrors vLLM's load_config_file", () => {
    expect(vllmConfigToArgv({ a: true, b: false, c: [1, 2], d: { x: 1 }, e: 3, f: null, g: [] })).toEqual([
      "--a",
      "--c",
      "1",
      "2",
      "--d",
      '{"x":1}',
      "--e",
      "3",
    ]);
  });

  it("parseTokenCount uses vLLM's k/K convention", () => {
    expect(parseTokenCount("32k")).toBe(32000);
    expect(parseTokenCount("32K")).toBe(32768);
    expect(parseTokenCount("1.5k")).toBe(1500);
    expect(parseTokenCount("8192")).toBe(8192);
    expect(parseTokenCount("1M")).toBe(1048576);
    expect(parseTokenCount("abc")).toBeNull();
    expect(parseTokenCount("0")).toBeNull();
  });

  it("VramPlanFileSchema accepts the README example", () => {
    const r = VramPlanFileSchema.safeParse({
      deployments: [
        { name: "x", model: "m", gpu: "h100", gpus: 2, flags: { "tensor-parallel-size": 2 }, require: { concurrency: "32@8k", context: "32k" } },
      ],
    });
    expect(r.success).toBe(true);
  });
});

describe("robustness", () => {
  it("prototype names are not variables or short flags", () => {
    const [d] = readDeployments("x.sh", "vllm serve $constructor -constructor 1 --x ${toString:-d}\n");
    expect(d?.model).toBe("$constructor");
    expect(d?.args).toEqual({ constructor: "1", x: "d" });
  });

  it("compose image with an interpolated tag", () => {
    const text = 'services:\n  s:\n    image: "vllm/vllm-openai:${VLLM_TAG:-v0.10.1}"\n    command: ["org/m", "--max-model-len", "4096"]\n';
    expect(readDeployments("c.yaml", text)[0]?.model).toBe("org/m");
  });
});

describe("a compose service built from a Dockerfile is vLLM's when its command holds vLLM engine flags (the argument table decides)", () => {
  const compose = (command: string): ReturnType<typeof readDeployments> =>
    readDeployments("docker-compose.yml", `services:\n  llm:\n    build: .\n    command: ${command}\n`);
  it("--model or a flag that changes the plan (either spelling) makes it a vLLM server", () => {
    expect(compose("--model Qwen/Qwen3-8B --port 8000").map((d) => d.model)).toEqual(["Qwen/Qwen3-8B"]);
    expect(compose("--model Qwen/Qwen3-8B --max_num_seqs 8").map((d) => d.args["max-num-seqs"] ?? d.args["max_num_seqs"])).toEqual(["8"]);
    expect(compose("--served-model-name chat --model Qwen/Qwen3-8B").length).toBe(1);
  });
  it("generic server flags alone (--host, --port, --api-key) do not", () => {
    expect(() => compose("--host 0.0.0.0 --port 8000 --api-key x")).toThrow("docker-compose.yml: no vLLM deployment found");
  });
});
