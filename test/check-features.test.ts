// vram-plan check: standard input, run-time variables, releases per image, MIG slices, shared GPUs,
// the repository config (.vram-plan.yaml), and the solve command a failing deployment suggests.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { unwrapped } from "./helpers/cli.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import type { Io } from "../src/commands/io.js";
import { parseDotenv } from "../src/sources/deployments.js";
import { imageRelease } from "../src/sources/vllm-argv.js";
import { expandFilePatterns, findRepoConfig, readRepoConfig } from "../src/sources/repo-config.js";
import { splitShellWords } from "../src/sources/vllm-argv.js";
import { logicalCheckText, runCheck } from "./helpers/check-text.js";

const check = runCheck;

const compose = (image: string, command: string, extra = ""): string => `services:\n  chat:\n    image: ${image}\n    command: ${command}\n${extra}`;

describe("check -: a deployment on standard input", () => {
  it("reads the text, names it <stdin>", async () => {
    const result = await check(["-", "--gpu", "l4", "--no-config"], compose("vllm/vllm-openai:v0.11.0", "--model meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192"));
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok {3}<stdin>:2 chat — meta-llama\/Llama-3\.1-8B-Instruct on 1× l4, vLLM 0\.11\.0: /);
  });
});

describe("releases per service, from the image", () => {
  it("reads vLLM image tags; latest/untagged/digest and other images do not pin one", () => {
    expect(imageRelease("vllm/vllm-openai:v0.10.1.1")).toMatchObject({ version: "0.10.1", latest: false });
    expect(imageRelease("docker.io/vllm/vllm-openai:v0.8.5")).toMatchObject({ version: "0.8.5" });
    expect(imageRelease("vastai/vllm:v0.7.0-cuda-12.1-pytorch-2.5.1-py312")).toMatchObject({ version: "0.7.0" });
    expect(imageRelease("vllm/vllm-openai:latest")).toMatchObject({ version: null, latest: true });
    expect(imageRelease("vllm/vllm-openai")).toMatchObject({ version: null, latest: true });
    expect(imageRelease("registry.redhat.io/rhaii/vllm-cuda-rhel9@sha256:5800e12b")).toMatchObject({ version: null, latest: false, vllm: true });
    // Red Hat's 3.2.3 is its product version, not vLLM's.
    expect(imageRelease("registry.redhat.io/rhaiis/vllm-cuda-rhel9:3.2.3-1760572426")).toMatchObject({ version: null, latest: false });
    expect(imageRelease("python:3.12")).toMatchObject({ version: null, vllm: false });
  });

  it("two services, two releases: each line names its own", async () => {
    const text = [
      "services:",
      "  old:",
      "    image: vllm/vllm-openai:v0.10.1",
      "    command: --model Qwen/Qwen3-8B --max-model-len 8192",
      "    environment: [CUDA_VISIBLE_DEVICES=0]",
      "  new:",
      "    image: vllm/vllm-openai:latest",
      "    command: --model Qwen/Qwen3-8B --max-model-len 8192",
      "    environment: [CUDA_VISIBLE_DEVICES=1]",
      "",
    ].join("\n");
    const result = await check(["-", "--gpu", "h100", "--no-config"], text);
    expect(result.code).toBe(0);
    const lines = result.out.split("\n").filter((l) => l !== "     note: GPU type from --gpu h100");
    expect(lines[0]).toMatch(/^ok {3}<stdin>:2 old — Qwen\/Qwen3-8B on 1× h100-sxm, vLLM 0\.10\.1: /);
    expect(lines[1]).toMatch(/^ok {3}<stdin>:6 new — Qwen\/Qwen3-8B on 1× h100-sxm, vLLM 0\.\d+\.\d+: /);
    expect(lines[1]).not.toContain("vLLM 0.10.1");
    expect(lines[2]).toMatch(/^ {5}note: image vllm\/vllm-openai:latest: planned as vLLM 0\.\d+\.\d+, the newest release modeled/);
  });

  it("an image older than the oldest modeled release: planned with the oldest rules, with a warning", async () => {
    const result = await check(["-", "--gpu", "l4", "--no-config"], compose("vllm/vllm-openai:v0.4.2", "--model Qwen/Qwen2.5-1.5B-Instruct --max-model-len 4096"));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok {3}<stdin>:2 chat — Qwen\/Qwen2\.5-1\.5B-Instruct on 1× l4, vLLM 0\.6\.0: /);
    expect(result.out).toContain("image vllm/vllm-openai:v0.4.2 is vLLM 0.4.2, older than the oldest release modeled (0.6.0): planned with 0.6.0's rules, which may differ");
  });
});

describe("run-time variables", () => {
  it("${VAR:-default} inside sh -c takes the default; ${VAR} without one is named with its --set", async () => {
    const text = compose("vllm/vllm-openai:v0.11.0", `["sh", "-c", "vllm serve \${MODEL:-Qwen/Qwen3-8B} --max-model-len \${LEN} --gpu-memory-utilization 0.85"]`);
    const result = await check(["-", "--gpu", "h100", "--no-config"], text);
    expect(result.code).toBe(1);
    expect(result.out).toContain("NEED <stdin>:2 chat: --max-model-len ${LEN}: $LEN is set at run time: pass --set LEN=...\n");
    const outcome = await check(["-", "--gpu", "h100", "--no-config", "--set", "LEN=16384"], text);
    expect(outcome.code).toBe(0);
    expect(outcome.out).toMatch(/— Qwen\/Qwen3-8B on 1× h100-sxm, vLLM 0\.11\.0: .*x at 16,384, util 0\.85/);
    const m = await check(["-", "--gpu", "h100", "--no-config", "--set", "LEN=16384", "--set", "MODEL=Qwen/Qwen3-4B"], text);
    expect(m.out).toContain("— Qwen/Qwen3-4B on 1× h100-sxm");
  });

  it("${VAR:+word} vanishes when VAR is unset; a run-time value of a flag with no memory effect waits, and is said", async () => {
    const df = 'FROM vllm/vllm-openai:v0.11.0\nENTRYPOINT python3 -m vllm.entrypoints.openai.api_server --port $PORT --model ${MODEL_NAME:-Qwen/Qwen3-0.6B} ${REVISION:+--revision "$REVISION"} --max-model-len 4096\n';
    const result = await check(["-", "--gpu", "l4", "--no-config", "--json"], df);
    expect(result.code).toBe(0);
    const j = JSON.parse(result.out) as { deployments: { model: string; args: Record<string, unknown>; notes: string[] }[] };
    expect(j.deployments[0]?.model).toBe("Qwen/Qwen3-0.6B");
    expect(j.deployments[0]?.args).toEqual({ port: "$PORT", "max-model-len": "4096" });
    expect(j.deployments[0]?.notes[0]).toBe("set at run time, no effect on memory: --port $PORT");
    const rev = await check(["-", "--gpu", "l4", "--no-config", "--json", "--set", "REVISION=abc123"], df);
    expect((JSON.parse(rev.out) as { deployments: { args: Record<string, unknown> }[] }).deployments[0]?.args).toEqual({ port: "$PORT", revision: "abc123", "max-model-len": "4096" });
  });

  it("--set rejects what is not NAME=VALUE", async () => {
    const r = await check(["-", "--gpu", "h100", "--set", "oops", "--no-config"], "vllm serve Qwen/Qwen3-8B\n");
    expect(r.code).toBe(2);
    expect(unwrapped(r.err)).toBe("vram-plan: --set: expected NAME=VALUE such as LLM_MODEL_ID=Qwen/Qwen3-8B, got 'oops'\n");
  });

  it("a compose .env file: values, quotes, comments after unquoted values", () => {
    expect(parseDotenv('A=1  # one\nexport B="x # y"\n# c\nC=\'q\'\nD=\n')).toEqual({ A: "1", B: "x # y", C: "q", D: "" });
  });
});

describe("local model paths matched in the Hugging Face cache", () => {
  it("the last path component, case-insensitively, organization optional; --model-map wins", async () => {
    const { cpSync } = await import("node:fs");
    const home = mkdtempSync(join(tmpdir(), "vram-plan-hf-"));
    const snap = join(home, "hub", "models--acme--tiny-llama", "snapshots", "0123abc");
    mkdirSync(snap, { recursive: true });
    cpSync("fixtures/hub/acme/tiny-llama", snap, { recursive: true });
    let out = "";
    const io: Io = { stdout: (x) => void (out += x), stderr: () => undefined, isTTY: false, env: { HF_HUB_OFFLINE: "1", HF_HOME: home } };
    io.stdin = () => "vllm serve /srv/models/TINY-LLAMA --max-model-len 256\n";
    const code = await run(["check", "-", "--gpu", "l4", "--offline", "--no-config"], io);
    expect(code).toBe(0);
    out = logicalCheckText([], out);
    expect(out).toMatch(/^ok {3}<stdin>:1 script line 1 — acme\/tiny-llama on 1× l4, vLLM /);
    expect(out).toContain('model path /srv/models/TINY-LLAMA is not on this machine: planned as acme/tiny-llama, the model named like its last component "TINY-LLAMA" (--model-map /srv/models/TINY-LLAMA=ID to choose another)');
  });
});

describe("forms that look right but are not", () => {
  it("a Dockerfile exec-form ENTRYPOINT passes $VAR to vLLM unexpanded: said, not planned as the ENV value", async () => {
    const df = 'FROM vllm/vllm-openai:latest\nENV MODEL_NAME="Qwen/Qwen3-0.6B"\nENTRYPOINT [ "python3", "-m", "vllm.entrypoints.openai.api_server", "--model", "$MODEL_NAME" ]\n';
    const result = await check(["-", "--gpu", "l4", "--no-config"], df);
    expect(result.code).toBe(1);
    expect(result.out).toContain('NEED <stdin>:3 ENTRYPOINT line 3: model $MODEL_NAME: the exec form (JSON array) of ENTRYPOINT runs no shell, so vLLM gets "$MODEL_NAME" literally; use the shell form or sh -c to expand it\n');
    const shell = await check(["-", "--gpu", "l4", "--no-config"], df.replace('[ "python3", "-m", "vllm.entrypoints.openai.api_server", "--model", "$MODEL_NAME" ]', "python3 -m vllm.entrypoints.openai.api_server --model $MODEL_NAME"));
    expect(shell.code).toBe(0);
    expect(shell.out).toContain("— Qwen/Qwen3-0.6B on 1× l4");
  });

  it("compose: a locally built image whose command starts with the model (the vLLM image's entrypoint)", async () => {
    const r = await check(["-", "--gpu", "l4", "--no-config"], "services:\n  llm:\n    build: .\n    command: Qwen/Qwen3-0.6B --max-model-len 8192\n");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok {3}<stdin>:2 llm — Qwen\/Qwen3-0\.6B on 1× l4, vLLM \S+: .*x at 8,192,/);
  });

  it("compose include: the included files are named as not read", async () => {
    const r = await check(["-", "--gpu", "l4", "--no-config"], "include:\n  - other.yaml\nservices:\n  v:\n    image: vllm/vllm-openai:v0.11.0\n    command: --model Qwen/Qwen3-0.6B\n");
    expect(r.code).toBe(0);
    expect(r.out).toContain('note <stdin>: include: ["other.yaml"]: included compose files are not read here; pass them to check too\n');
  });
});

describe("GPUs", () => {
  it("--gpu-memory for check: a custom GPU, named as such", async () => {
    const r = await check(["-", "--gpu-memory", "48GiB", "--no-config"], "vllm serve Qwen/Qwen3-8B --max-model-len 8192\n");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok {3}<stdin>:1 script line 1 — Qwen\/Qwen3-8B on 1× custom, vLLM /);
  });

  it("two pm2 servers with no CUDA_VISIBLE_DEVICES share GPU 0: utilizations add up, start order matters", async () => {
    const script = [
      'pm2 start --name "a" "vllm serve Qwen/Qwen3-0.6B --max-model-len 4096 --gpu-memory-utilization 0.5"',
      'pm2 start --name "b" "vllm serve Qwen/Qwen3-1.7B --max-model-len 4096 --gpu-memory-utilization 0.6"',
      "",
    ].join("\n");
    const result = await check(["-", "--gpu", "l4", "--no-config"], script);
    expect(result.code).toBe(1);
    expect(result.out).toContain("shares GPU 0 with script line 2 (utilizations 0.5 + 0.6 = 1.10 of the GPU); starts first");
    // L4 21.98 GiB: the first holds about 0.5 × 21.98 = 10.99 GiB plus its CUDA context, so 0.6 × 21.98 = 13.19 GiB is not free.
    expect(result.out).toMatch(/FAIL <stdin>:2 script line 2 — Qwen\/Qwen3-1\.7B on 1× l4, vLLM \S+: does not start: \d+\.\d\d GiB free at start-up < 13\.19 GiB asked for \(utilization 0\.6\)/);
    // On two GPUs (CUDA_VISIBLE_DEVICES) nothing is shared.
    const apart = await check(["-", "--gpu", "l4", "--no-config"], script.replace('"vllm serve Qwen/Qwen3-1.7B', '"CUDA_VISIBLE_DEVICES=1 vllm serve Qwen/Qwen3-1.7B'));
    expect(apart.code).toBe(0);
    expect(apart.out).not.toContain("shares GPU");
  });
});

describe("KServe in one file", () => {
  it("a ServingRuntime and an InferenceService with an hf:// storageUri: the model is that Hugging Face id", async () => {
    const text = [
      "apiVersion: serving.kserve.io/v1alpha1",
      "kind: ServingRuntime",
      "metadata: {name: vllm-rt}",
      "spec:",
      "  containers:",
      "    - name: kserve-container",
      "      image: vllm/vllm-openai:v0.11.0",
      "      args: [--port=8080, --model=/mnt/models, --max-model-len=8192]",
      "---",
      "apiVersion: serving.kserve.io/v1beta1",
      "kind: InferenceService",
      "metadata: {name: qwen}",
      "spec:",
      "  predictor:",
      "    nodeSelector: {nvidia.com/gpu.product: NVIDIA-L4}",
      "    model:",
      "      runtime: vllm-rt",
      "      modelFormat: {name: vLLM}",
      "      storageUri: hf://Qwen/Qwen3-8B",
      "      args: [--gpu-memory-utilization=0.85]",
      "      resources: {limits: {nvidia.com/gpu: 1}}",
      "",
    ].join("\n");
    const result = await check(["-", "--no-config"], text);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok {3}<stdin>:14 qwen \(runtime vllm-rt\) — Qwen\/Qwen3-8B on 1× l4, vLLM 0\.11\.0: .*x at 8,192, util 0\.85,/);
    expect(result.out).toContain("model from storageUri hf://Qwen/Qwen3-8B (mounted at /mnt/models)");
  });
});

describe("check -: standard input is held to the file cap (sources/read-file.ts readInputText, also log -)", () => {
  it("a deployment file over 512 KiB (MAX_DEPLOYMENT_FILE_BYTES) on standard input is refused like one on disk", async () => {
    // 524,288 bytes pass the cap, 524,289 do not; a comment line keeps it a shell script.
    const result = await check(["-", "--no-config"], `#${"x".repeat(512 * 1024)}`);
    expect(result.code).toBe(2);
    expect(result.err).toBe("vram-plan: standard input: over the 512 KiB limit for this kind of file\n");
  });
});

describe("a vram-plan file's require.headroom is read as --headroom is (sizeFlag)", () => {
  it("2GiB is 2.00 GiB to leave free (an L4 at utilization 0.92 leaves 1.15); 2PiB (over the 1 PiB every size flag allows) is that deployment's problem", async () => {
    const file = (headroom: string): string => `deployments:\n  - name: small\n    model: Qwen/Qwen3-0.6B\n    gpu: l4\n    flags: {max-model-len: 4096}\n    require: {headroom: ${headroom}}\n`;
    const two = await check(["-", "--no-config"], file("2GiB"));
    expect(two.code).toBe(1);
    expect(two.out).toMatch(/: 1\.15 GiB left free per GPU < 2\.00 GiB headroom required/);
    const big = await check(["-", "--no-config"], file("2PiB"));
    expect(big.code).toBe(1);
    expect(big.out).toContain("NEED <stdin>:2 small: require.headroom: expected a size up to 1 PiB such as 20GiB, 20GB, 512MiB or a byte count, got '2PiB'\n");
  });
});

describe("KServe: an InferenceService whose ServingRuntime is not given", () => {
  it("of a tabular model format (sklearn) is no vLLM deployment: skipped, and said once", async () => {
    // KServe's "Run your first InferenceService" (kserve/website docs/get_started/first_isvc.md).
    const text = [
      'apiVersion: "serving.kserve.io/v1beta1"',
      'kind: "InferenceService"',
      "metadata:",
      '  name: "sklearn-iris"',
      "spec:",
      "  predictor:",
      "    model:",
      "      modelFormat:",
      "        name: sklearn",
      '      storageUri: "gs://kfserving-examples/models/sklearn/1.0/model"',
      "",
    ].join("\n");
    const result = await check(["-", "--no-config"], text);
    expect(result.code).toBe(2);
    expect(result.out).toBe("note <stdin>:6: skipped: InferenceService sklearn-iris serves model format sklearn, not vLLM\nNo vLLM deployment in the files given. 1 file skipped (no vLLM deployment).\n");
    expect(result.err).toBe("vram-plan: no vLLM deployment in any file given\n");
  });
  it("of another format is a deployment that cannot be planned until its runtime's file is given", async () => {
    // The shape of a published OpenDataHub template: format pytorch, served by a vLLM ServingRuntime.
    const text = ["apiVersion: serving.kserve.io/v1beta1", "kind: InferenceService", "metadata: {name: llm}", "spec:", "  predictor:", "    model:", "      modelFormat: {name: pytorch}", "      runtime: vllm-servingruntime", "      storageUri: s3://models/llm", ""].join("\n");
    const result = await check(["-", "--no-config"], text);
    expect(result.code).toBe(1);
    expect(result.err).toBe("");
    expect(result.out).toContain("NEED <stdin>:5 llm: InferenceService for runtime vllm-servingruntime, whose ServingRuntime is not among the files given: pass its file too");
  });
});

describe("servers sharing a GPU must also fit together once up", () => {
  it("passing vLLM's start-up check is not enough when the two together over-commit the GPU", async () => {
    // vLLM 0.10.1 (CUDA graphs outside the budget): the first holds 0.5 × 21.98 GiB plus graphs (76 MiB first
    // capture + 66 × 28 × 165 KiB, cuda-graphs.ts) and its context, 11.97 GiB; the second passes the start-up
    // check (within the CUDA context's spread) but, up, asks 0.43 × 21.98 = 9.45 GiB plus its own context:
    // 0.04 GiB more than the L4 has.
    const script = "vllm serve Qwen/Qwen3-1.7B --max-model-len 4096 --gpu-memory-utilization 0.5\nvllm serve Qwen/Qwen3-0.6B --max-model-len 4096 --gpu-memory-utilization 0.43 --enforce-eager\n";
    const result = await check(["-", "--gpu", "l4", "--no-config", "--vllm-version", "0.10.1"], script);
    expect(result.code).toBe(1);
    expect(result.out).toContain("starts after script line 1, holding 11.97 GiB of it");
    expect(result.out).toContain(
      "FAIL <stdin>:2 script line 2 — Qwen/Qwen3-0.6B on 1× l4, vLLM 0.10.1: the GPU it shares is over-committed: 0.04 GiB more than it has once every server on it is up — fix: --gpu-memory-utilization 0.42\n",
    );
  });
});

describe("--one-host: scripts in separate files on one machine", () => {
  it("two scripts with CUDA_VISIBLE_DEVICES=0 share the GPU only when said to run on one host", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-host-"));
    writeFileSync(join(dir, "embed.sh"), "export CUDA_VISIBLE_DEVICES=0\nvllm serve Qwen/Qwen3-0.6B --max-model-len 4096 --gpu-memory-utilization 0.3\n");
    writeFileSync(join(dir, "chat.sh"), "export CUDA_VISIBLE_DEVICES=0\nvllm serve Qwen/Qwen3-4B --max-model-len 8192 --gpu-memory-utilization 0.8\n");
    const files = [join(dir, "embed.sh"), join(dir, "chat.sh")];
    const apart = await check([...files, "--gpu", "l4", "--no-config"]);
    expect(apart.code).toBe(0);
    const one = await check([...files, "--gpu", "l4", "--no-config", "--one-host"]);
    expect(one.code).toBe(1);
    expect(one.out).toMatch(/shares GPU 0 with \S+chat\.sh:2 script line 2 \(utilizations 0\.3 \+ 0\.8 = 1\.10 of the GPU\); starts first/);
    expect(one.out).toMatch(/starts after \S+embed\.sh:2 script line 2, holding \d+\.\d\d GiB of it/);
    expect(one.out).toMatch(/FAIL .*chat\.sh:2 script line 2 — Qwen\/Qwen3-4B on 1× l4, vLLM \S+: does not start: \d+\.\d\d GiB free at start-up < 17\.59 GiB asked for \(utilization 0\.8\)/);
  });
});

describe("a repository config: .vram-plan.yaml", () => {
  const dir = mkdtempSync(join(tmpdir(), "vram-plan-repo-"));
  mkdirSync(join(dir, "deploy", "k8s"), { recursive: true });
  mkdirSync(join(dir, "sub"), { recursive: true });
  writeFileSync(join(dir, "deploy", "compose.yaml"), compose("vllm/vllm-openai:v0.11.0", "--model /models/Qwen3-8B-local --max-model-len ${LEN}"));
  writeFileSync(join(dir, "deploy", "k8s", "notes.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
  writeFileSync(
    join(dir, ".vram-plan.yaml"),
    ["files: [deploy/**/*.yaml]", "gpu: l40s", "modelMap:", "  /models/Qwen3-8B-local: Qwen/Qwen3-8B", "set: {LEN: 16384}", "require:", "  context: 16K", "  concurrency: 4", ""].join("\n"),
  );

  it("is found from a directory below it, and validated (unknown keys named with their line)", async () => {
    expect(findRepoConfig(join(dir, "sub"))).toBe(join(dir, ".vram-plan.yaml"));
    const cfg = await readRepoConfig(join(dir, ".vram-plan.yaml"));
    expect(cfg).toEqual({ files: ["deploy/**/*.yaml"], gpu: "l40s", modelMap: { "/models/Qwen3-8B-local": "Qwen/Qwen3-8B" }, set: { LEN: 16384 }, require: { context: "16K", concurrency: 4 } });
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "gpu: l4\nrequire:\n  contxt: 8k\n");
    await expect(readRepoConfig(bad)).rejects.toThrow(`${bad}:3: require.contxt: Unrecognized key: "contxt"`);
  });

  it("a second document (---) is named by its line, not the yaml library's 'please use YAML.parseAllDocuments()'; an empty file is no settings", async () => {
    const two = join(dir, "two.yaml");
    writeFileSync(two, "gpu: l4\n---\ngpu: h100\n");
    await expect(readRepoConfig(two)).rejects.toThrow(`${two}:2: a second YAML document (---); the settings are one document`);
    const empty = join(dir, "empty.yaml");
    writeFileSync(empty, "# nothing set yet\n");
    expect(await readRepoConfig(empty)).toEqual({});
  });

  it("gives the files, GPU, model map, variables and requirements: the CI step is just `vram-plan check`", async () => {
    expect(expandFilePatterns(["deploy/**/*.yaml"], dir).map((f) => f.slice(f.indexOf("deploy/")))).toEqual(["deploy/compose.yaml", "deploy/k8s/notes.yaml"]);
    const result = await check(["--config", join(dir, ".vram-plan.yaml")]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok {3}.*deploy\/compose\.yaml:2 chat — Qwen\/Qwen3-8B on 1× l40s, vLLM 0\.11\.0: .*x at 16,384,/);
    expect(result.out).toContain("model /models/Qwen3-8B-local planned as Qwen/Qwen3-8B (model map)");
    expect(result.out).toMatch(/note .*deploy\/k8s\/notes\.yaml: skipped: no vLLM deployment\n/);
    // The command line wins over the file.
    const cli = await check(["--config", join(dir, ".vram-plan.yaml"), "--require-concurrency", "400"]);
    expect(cli.code).toBe(1);
    // The file's own values are read as the file's (its numbers as typed, its text like the flag), and a bad one is named by its key.
    const badReq = join(dir, "bad-require.yaml");
    writeFileSync(badReq, "gpu: l40s\nrequire:\n  context: lots\n");
    const bad = await check(["--config", badReq, join(dir, "deploy", "compose.yaml")]);
    expect(bad.code).toBe(2);
    expect(unwrapped(bad.err)).toBe(`vram-plan: ${badReq}: require.context: expected a token count from 1 to 2147483648 such as 32768, 32k (32000) or 32K (32768), got 'lots'\n`);
  });
});

describe("the solve command a failing deployment suggests carries every requirement, and finds the answer", () => {
  it("Llama-3.1-70B on L40S, 40 requests of 32k: no single flag is enough; solve finds TP 8 + fp8", async () => {
    const text = compose("vllm/vllm-openai:v0.10.1", "--model meta-llama/Llama-3.1-70B-Instruct --max-model-len 65536", "    deploy: {resources: {reservations: {devices: [{driver: nvidia, count: 8, capabilities: [gpu]}]}}}\n");
    const result = await check(["-", "--gpu", "l40s", "--require-concurrency", "40@32k", "--no-config"], text);
    expect(result.code).toBe(1);
    const cmd = /try (vram-plan solve .*)$/m.exec(result.out)?.[1] ?? "";
    expect(cmd).toBe("vram-plan solve --model meta-llama/Llama-3.1-70B-Instruct --gpu l40s --vllm-version 0.10.1 --context 32000 --concurrency 40 --max-gpus 8");
    let out = "";
    const io: Io = { stdout: (s) => void (out += s), stderr: () => undefined, isTTY: false, env: { HF_HUB_OFFLINE: "1" } };
    const code = await run([...splitShellWords(cmd).slice(1), "--offline"], io);
    expect(code).toBe(0);
    expect(out).toMatch(/tensor-parallel-size +8 /);
    // Wrapped to 80 columns: the sentence may continue on the next line.
    expect(out).toMatch(/4\d\.\d\d concurrent\s+requests\s+of\s+32,000\s+tokens/);
  });
});

describe("--device cpu: not a GPU deployment", () => {
  it("is a note of its file, as `plan` says it, not a plan on a GPU (issue #11 item 4)", async () => {
    // The container of a published vLLM-on-CPU k3s deployment (vllm-openai:v0.6.6, --device=cpu, Phi-3-mini).
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-cpu-"));
    writeFileSync(
      join(dir, "vllm-cpu.yaml"),
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: vllm}\nspec:\n  template:\n    spec:\n      containers:\n        - name: vllm\n          image: docker.io/vllm/vllm-openai:v0.6.6\n          args:\n            - --model=microsoft/Phi-3-mini-4k-instruct\n            - --device=cpu\n            - --dtype=float16\n",
    );
    writeFileSync(join(dir, "gpu.sh"), "vllm serve Qwen/Qwen3-0.6B --max-model-len 4096\n");
    const result = await check([join(dir, "vllm-cpu.yaml"), join(dir, "gpu.sh"), "--gpu", "l4", "--no-config", "--offline"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/note \S+vllm-cpu\.yaml:8: vllm: vLLM runs on the CPU here \(--device cpu\): not a GPU deployment, nothing to plan\n/);
    expect(result.out).not.toMatch(/Phi-3-mini-4k-instruct on/);
    expect(result.out).toMatch(/ok {3}\S+gpu\.sh:1/);
    // Alone, it is understood (exit 0 with its note), not "no vLLM deployment" (exit 2).
    const alone = await check([join(dir, "vllm-cpu.yaml"), "--gpu", "l4", "--no-config", "--offline"]);
    expect(alone.err).toBe("");
    expect(alone.code).toBe(0);
    expect(alone.out).toMatch(/No GPU deployment in the files given: 1 runs vLLM on the CPU\.\n$/);
    // Its JSON passes with it: the one verdict (render/check.ts checkPassed = exit 0).
    const json = await check([join(dir, "vllm-cpu.yaml"), "--gpu", "l4", "--no-config", "--offline", "--json"]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.out) as { ok: boolean }).ok).toBe(true);
  });
});

describe("every format's verdict is the exit code's", () => {
  it("no vLLM deployment in the files: exit 2, and JSON ok false and ❌ (they said ok: true and ✅)", async () => {
    for (const [format, verdict] of [
      ["--json", (out: string) => (JSON.parse(out) as { ok: boolean }).ok],
      ["--format=markdown", (out: string) => out.startsWith("### ✅")],
      ["--format=html", (out: string) => out.includes('<span class="ok">✔</span> vram-plan check')],
    ] as const) {
      const result = await check(["fixtures/deployments/no-vllm.yaml", "--no-config", format]);
      expect(result.code, format).toBe(2);
      expect(result.err, format).toBe("vram-plan: no vLLM deployment in any file given\n");
      expect(verdict(result.out), format).toBe(false);
    }
    // A deployment that starts: exit 0 and the pass in every format.
    for (const format of ["--json", "--format=markdown"]) {
      const ok = await check(["fixtures/ci/deploy/k8s.yaml", "--gpu", "h100", "--no-config", format]);
      expect(ok.code, format).toBe(0);
      expect(format === "--json" ? (JSON.parse(ok.out) as { ok: boolean }).ok : ok.out.startsWith("### ✅"), format).toBe(true);
    }
  });
});
