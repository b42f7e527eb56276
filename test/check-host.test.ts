// check: a deployment's own memory limit and /dev/shm against the host memory vLLM needs (issue
// #15.4). Real files (fixtures/deployments/real, sources in SOURCES.md) are read as written; the
// hand-made ones in fixtures/deployments/host-limits run one command with too little and with room.
// Needs worked by hand from core/host-memory.ts: Qwen3-8B at TP 2 on vLLM 0.29.0 starts 4 processes
// (4 × 3 GiB) and maps (16 MiB + 3) × 10 + 2 × (10 MiB + 2) × 10 + (4 MiB + 2) × 6 = 402,653,266 B of
// /dev/shm (384 MiB): 12 GiB + 384 MiB = 13,287,555,154 B of host memory.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli, type Ran } from "./helpers/cli.js";
import { logicalCheckText } from "./helpers/check-text.js";
import { readDeploymentFile } from "../src/sources/deployments.js";
import { dockerSizeBytes, k8sQuantityBytes } from "../src/sources/deployments/limits.js";
import { hostFindings, CONTAINER_DEFAULT_SHM_BYTES } from "../src/core/host-limits.js";
import type { HostMemory } from "../src/core/types.js";

const R = "fixtures/deployments/real/";
const H = "fixtures/deployments/host-limits/";
const GiB = 2 ** 30;

async function check(argv: string[]): Promise<Ran> {
  const r = await runCli(["check", ...argv, "--offline", "--no-config"]);
  return { ...r, out: logicalCheckText(argv, r.out) };
}
function limitsOf(file: string): unknown[] {
  return readDeploymentFile(file, readFileSync(file, "utf8")).deployments.map((d) => d.limits ?? null);
}

describe("sizes as the runtimes read them", () => {
  it("Kubernetes quantities: binary and decimal suffixes, exponents, plain numbers", () => {
    expect(k8sQuantityBytes("16Gi")).toBe(16 * GiB);
    expect(k8sQuantityBytes("32G")).toBe(32e9);
    expect(k8sQuantityBytes("1311Gi")).toBe(1311 * GiB);
    expect(k8sQuantityBytes("129e6")).toBe(129e6);
    expect(k8sQuantityBytes(17179869184)).toBe(16 * GiB);
    expect(k8sQuantityBytes("500Mi")).toBe(500 * 2 ** 20);
    expect(k8sQuantityBytes("16GB")).toBeNull();
    expect(k8sQuantityBytes("lots")).toBeNull();
  });
  it("Docker sizes: binary units with an optional b", () => {
    expect(dockerSizeBytes("64m")).toBe(CONTAINER_DEFAULT_SHM_BYTES);
    expect(dockerSizeBytes("2gb")).toBe(2 * GiB);
    expect(dockerSizeBytes("8G")).toBe(8 * GiB);
    expect(dockerSizeBytes(1073741824)).toBe(GiB);
    expect(dockerSizeBytes("10 gigs")).toBeNull();
  });
});

describe("real files: the limits each reader finds", () => {
  it("GKE: resources.limits/requests.memory and an emptyDir of medium Memory at /dev/shm (no sizeLimit)", () => {
    expect(limitsOf(R + "gke-gemma-7b-it-tp.yaml")).toEqual([
      {
        runtime: "kubernetes",
        memoryLimit: { bytes: 25 * GiB, text: "25Gi", where: "resources.limits.memory" },
        memoryRequest: { bytes: 25 * GiB, text: "25Gi", where: "resources.requests.memory" },
        shm: { kind: "memory", where: "emptyDir dshm (medium: Memory) at /dev/shm" },
      },
    ]);
  });
  it("an emptyDir with a sizeLimit; requests below limits", () => {
    expect(limitsOf(R + "lahlfors-vllm-governance.yaml")[0]).toMatchObject({ memoryLimit: { bytes: 16 * GiB }, shm: { kind: "sized", bytes: 4 * GiB, text: "4Gi", where: "emptyDir dshm sizeLimit" } });
    expect(limitsOf(R + "gke-nemo-rl-gemma3-27b.yaml")[0]).toMatchObject({ memoryLimit: null, shm: { kind: "sized", bytes: 128 * GiB } });
  });
  it("docker run --ipc=host: the host's /dev/shm", () => {
    expect(limitsOf(R + "dagnaputra-docker-run.sh")).toEqual([{ runtime: "docker", memoryLimit: null, memoryRequest: null, shm: { kind: "host", where: "--ipc=host" } }]);
  });
  it("a LeaderWorkerSet spreads ranks over pods: no single pod's limits are compared; a bare shell script has none", () => {
    expect(limitsOf(R + "gke-lws-llama3-405b.yaml")).toEqual([null]);
    expect(limitsOf(R + "vllm-tutorial-launch.sh")).toEqual([null]);
  });
});

describe("findings (core/host-limits.ts)", () => {
  const host = (memoryBytes: number, shmBytes: number): HostMemory => ({ cpuOffloadBytes: 0, kvOffloadingBytes: 0, totalBytes: 0, memoryBytes, shmBytes, processes: 4, parts: [] });
  it("memory limit below the need: an error with a whole-GiB value that fits; equal passes", () => {
    const f = hostFindings(host(13_287_555_154, 0), { runtime: "kubernetes", memoryLimit: { bytes: 8 * GiB, text: "8Gi", where: "resources.limits.memory" }, memoryRequest: null, shm: { kind: "default" } });
    expect(f.errors.map((e) => [e.code, e.have, e.need, e.fitBytes])).toEqual([["HOST_MEMORY_BELOW_NEED", 8 * GiB, 13_287_555_154, 13 * GiB]]);
    expect(hostFindings(host(13 * GiB, 0), { runtime: "kubernetes", memoryLimit: { bytes: 13 * GiB, text: "13Gi", where: "x" }, memoryRequest: null, shm: { kind: "default" } }).errors).toEqual([]);
  });
  it("no /dev/shm setting: the runtime's 64 MiB; ipc host or an unsized memory emptyDir hold any size", () => {
    const need = host(13 * GiB, 402_653_266);
    expect(hostFindings(need, { runtime: "docker", memoryLimit: null, memoryRequest: null, shm: { kind: "default" } }).errors[0]).toMatchObject({ code: "SHM_BELOW_NEED", have: 64 * 2 ** 20, fitBytes: GiB });
    expect(hostFindings(need, { runtime: "docker", memoryLimit: null, memoryRequest: null, shm: { kind: "host", where: "--ipc=host" } }).errors).toEqual([]);
    expect(hostFindings(need, { runtime: "kubernetes", memoryLimit: null, memoryRequest: null, shm: { kind: "memory", where: "emptyDir" } }).errors).toEqual([]);
    // TP 1 maps nothing: Docker's default is enough.
    expect(hostFindings(host(6 * GiB, 0), { runtime: "docker", memoryLimit: null, memoryRequest: null, shm: { kind: "default" } }).errors).toEqual([]);
  });
  it("a request below the need is reported apart (the pod starts)", () => {
    const f = hostFindings(host(13 * GiB, 0), { runtime: "kubernetes", memoryLimit: null, memoryRequest: { bytes: 8 * GiB, text: "8Gi", where: "resources.requests.memory" }, shm: { kind: "default" } });
    expect(f.errors).toEqual([]);
    expect(f.requestBelow?.have).toBe(8 * GiB);
  });
});

describe("check: pods with too little memory or /dev/shm fail (exit 1), the same pods with room pass", () => {
  it("Kubernetes TP 2 with an 8Gi limit and no /dev/shm: both findings, the values that fit, exit 1", async () => {
    const result = await check([H + "k8s-tp2-small.yaml"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("HOST_MEMORY_BELOW_NEED: resources.limits.memory 8Gi (8.00 GiB) < 12.38 GiB of host memory");
    expect(result.out).toContain("SHM_BELOW_NEED: /dev/shm not set (the container runtime's 64 MiB) < 384 MiB of /dev/shm");
    expect(result.out).toContain("fix: resources.limits.memory: 13Gi and an emptyDir {medium: Memory, sizeLimit: 1Gi} mounted at /dev/shm");
    const ok = await check([H + "k8s-tp2-room.yaml"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^ok {3}fixtures\/deployments\/host-limits\/k8s-tp2-room\.yaml:16 qwen3-tp2\/vllm — Qwen\/Qwen3-8B on 2× l4, vLLM 0\.29\.0/);
  });

  it("markdown: the suggested resources block; JSON: the codes with need, have and the fit", async () => {
    const md = await check([H + "k8s-tp2-small.yaml", "--format", "markdown"]);
    expect(md.out).toContain("```yaml\n# the container\nresources:\n  requests:\n    memory: 13Gi\n  limits:\n    memory: 13Gi\nvolumeMounts:\n  - name: dshm\n    mountPath: /dev/shm\n# the pod spec\nvolumes:\n  - name: dshm\n    emptyDir:\n      medium: Memory\n      sizeLimit: 1Gi\n```");
    const js = await check([H + "k8s-tp2-small.yaml", "--json"]);
    const d = (JSON.parse(js.out) as { deployments: Array<{ ok: boolean; failures: Array<Record<string, unknown>> }> }).deployments[0]!;
    expect(d.ok).toBe(false);
    expect(d.failures.map((f) => [f["code"], f["needBytes"], f["haveBytes"], f["fitBytes"]])).toEqual([
      ["HOST_MEMORY_BELOW_NEED", 13_287_555_154, 8 * GiB, 13 * GiB],
      ["SHM_BELOW_NEED", 402_653_266, 64 * 2 ** 20, GiB],
    ]);
  });

  it("the KV offload pool in /dev/shm (0.26+) above the emptyDir's sizeLimit", async () => {
    const r = await check([H + "k8s-kv-offload.yaml"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("SHM_BELOW_NEED: emptyDir dshm sizeLimit 8Gi (8.00 GiB) < 16.00 GiB of /dev/shm");
  });

  it("compose: shm_size 64m fails, ipc: host passes /dev/shm but deploy.resources.limits.memory 8G is too small", async () => {
    const result = await check([H + "compose-tp2.yaml", "--gpu", "l4"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("small — Qwen/Qwen3-8B on 2× l4, vLLM 0.29.0: SHM_BELOW_NEED: shm_size 64m (64 MiB) < 384 MiB of /dev/shm vLLM maps: it dies with \"Bus error\" (SIGBUS) — fix: shm_size: 1gb (or ipc: host)");
    expect(result.out).toContain("roomy — Qwen/Qwen3-8B on 2× l4, vLLM 0.29.0: HOST_MEMORY_BELOW_NEED: deploy.resources.limits.memory 8G (8.00 GiB) < 12.38 GiB");
    expect(result.out).toContain("fix: deploy.resources.limits.memory: 13g");
  });

  it("docker run: --shm-size 1g passes, no --shm-size fails", async () => {
    const result = await check([H + "docker-run-tp2.sh", "--gpu", "l4"]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^ok {3}fixtures\/deployments\/host-limits\/docker-run-tp2\.sh:2 /m);
    expect(result.out).toContain("docker-run-tp2.sh:3 script line 3 — Qwen/Qwen3-8B on 2× l4, vLLM 0.29.0: SHM_BELOW_NEED: /dev/shm not set (the container runtime's 64 MiB) < 384 MiB — fix: --shm-size 1g (or --ipc=host)".replace(" — fix", " of /dev/shm vLLM maps: it dies with \"Bus error\" (SIGBUS) — fix"));
  });

  it("KServe: the InferenceService's memory over the runtime container's, /dev/shm from the ServingRuntime's volume", async () => {
    const result = await check([R + "llmops-kserve-servingruntime.yaml", R + "llmops-kserve-inferenceservice.yaml", "--gpu", "l4", "--json"]);
    const d = (JSON.parse(result.out) as { deployments: Array<{ ok: boolean; notes: string[]; plan: { host: { memoryBytes: number } } }> }).deployments[0]!;
    // Qwen2.5-0.5B at TP 1: 2 processes × 3 GiB = 6 GiB ≤ the 8Gi limit; the 4Gi request is below it (a note).
    expect(d.ok).toBe(true);
    expect(d.plan.host.memoryBytes).toBe(6 * GiB);
    expect(d.notes).toContain("resources.requests.memory 4Gi is below the 6.00 GiB of host memory vLLM needs: the pod may be scheduled on a node without it");
  });

  it("real GKE pods with room pass: Llama 3.1 8B (TP 1) in a 10Gi pod needs 2 processes × 3 GiB", async () => {
    const r = await check([R + "gke-adk-deploy-llm.yaml"]);
    expect(r.out).not.toContain("HOST_MEMORY_BELOW_NEED");
    expect(r.out).not.toContain("SHM_BELOW_NEED");
  });
});
