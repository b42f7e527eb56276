// CUDA_VISIBLE_DEVICES / NVIDIA_VISIBLE_DEVICES read once (sources/visible-devices.ts), checked against
// what the CUDA driver did with each value on two real 2×H200 machines (fixtures/cuda-visible-devices/).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { containerDeviceIds, cudaDeviceIds, cudaDeviceList, dockerGpuRequest } from "../src/sources/visible-devices.js";
import { visibleGpus, type DetectedGpu } from "../src/sources/nvidia-smi.js";
import { runCheck } from "./helpers/check-text.js";

interface Measured {
  machines: Array<{
    nvidiaSmi: Array<{ index: number; uuid: string }>;
    cases: Array<{ CUDA_VISIBLE_DEVICES: string | null; cuInit: number; visible: number[] }>;
  }>;
}
const MEASURED = JSON.parse(readFileSync("fixtures/cuda-visible-devices/h200x2-driver-580.159.04.json", "utf8")) as Measured;

const gpu = (index: number, uuid: string): DetectedGpu => ({
  index,
  uuid,
  name: "NVIDIA H200",
  totalBytes: 143771 * 2 ** 20,
  reservedBytes: null,
  cudaTotalBytes: 143771 * 2 ** 20,
  usedBytes: 0,
  migEnabled: false,
  computeCapability: "9.0",
  apps: [],
});

describe("visibleGpus against the CUDA driver", () => {
  for (const [m, machine] of MEASURED.machines.entries()) {
    const all = machine.nvidiaSmi.map((g) => gpu(g.index, g.uuid));
    for (const c of machine.cases) {
      const value = c.CUDA_VISIBLE_DEVICES;
      // MIG-<the GPU's own UUID> selected the whole GPU on these non-MIG GPUs; real MIG devices have
      // UUIDs of their own, which --query-gpu does not list: vram-plan asks for the slice instead.
      if (value?.startsWith("MIG-")) continue;
      it(`machine ${m + 1}: ${JSON.stringify(value)}`, () => {
        const seen = visibleGpus(all, value ?? undefined).gpus.map((g) => g.index);
        expect(seen).toEqual(c.cuInit === 0 ? c.visible : []);
      });
    }
  }

  it("says why entries are hidden", () => {
    const all = MEASURED.machines[0]!.nvidiaSmi.map((g) => gpu(g.index, g.uuid));
    expect(visibleGpus(all, "0,a,1").notes).toEqual(["CUDA_VISIBLE_DEVICES: CUDA stops at 'a' (neither an index nor a GPU-/MIG- UUID) and ignores every entry after it"]);
    expect(visibleGpus(all, "0,0").notes).toEqual(["CUDA_VISIBLE_DEVICES names GPU 0 twice: CUDA refuses to start with it (CUDA_ERROR_INVALID_DEVICE), so no GPU is visible"]);
    expect(visibleGpus(all, "").notes).toEqual([]);
  });
});

describe("cudaDeviceList", () => {
  it("reads entries as the driver does, before it looks at the GPUs", () => {
    expect(cudaDeviceList(" 0, 1")).toEqual({ entries: [{ kind: "index", index: 0, text: "0" }, { kind: "index", index: 1, text: "1" }], stop: null });
    expect(cudaDeviceList("0,1,").stop).toBeNull();
    expect(cudaDeviceList("0,,1")).toEqual({ entries: [{ kind: "index", index: 0, text: "0" }], stop: { text: "", why: "empty" } });
    expect(cudaDeviceList("01,1x").entries.map((e) => (e.kind === "index" ? e.index : -1))).toEqual([1, 1]);
    expect(cudaDeviceList("GPU-AB33-,gpu-ab33")).toEqual({ entries: [{ kind: "uuid", hex: "ab33", text: "GPU-AB33-" }], stop: { text: "gpu-ab33", why: "not a device" } });
    expect(cudaDeviceList("1,GPU-7536").stop).toEqual({ text: "GPU-7536", why: "mixed" });
  });
});

describe("device ids of a deployment file", () => {
  it("CUDA_VISIBLE_DEVICES as CUDA reads it; NVIDIA_VISIBLE_DEVICES as the container toolkit takes it", () => {
    // The values of fixtures/deployments: plain lists, read as before.
    expect(cudaDeviceIds("0,1,2,3")).toEqual({ ids: ["0", "1", "2", "3"], note: null });
    expect(cudaDeviceIds('"1,0"')).toEqual({ ids: ["1", "0"], note: null });
    expect(cudaDeviceIds("$GPUS")).toEqual({ ids: null, note: null });
    // "0,,1" was read as 0 and 1; CUDA sees 0 alone (fixtures/cuda-visible-devices/).
    expect(cudaDeviceIds("0,,1")).toEqual({ ids: ["0"], note: "CUDA_VISIBLE_DEVICES=0,,1: CUDA stops at an empty entry, so it sees 0 only" });
    expect(containerDeviceIds("0,,1")).toEqual(["0", "1"]);
    // A list CUDA reads no entry of leaves no GPU (fixtures/cuda-visible-devices/h200x2-driver-580.159.04.json:
    // "-1" and ",0" give cuInit 100, CUDA_ERROR_NO_DEVICE, visible []): no ids, not "not given".
    expect(cudaDeviceIds("-1")).toEqual({ ids: [], note: "CUDA_VISIBLE_DEVICES=-1: CUDA stops at '-1' (neither an index nor a GPU-/MIG- UUID), so it sees no GPU" });
    expect(cudaDeviceIds(",0")).toEqual({ ids: [], note: "CUDA_VISIBLE_DEVICES=,0: CUDA stops at an empty entry, so it sees no GPU" });
    expect(containerDeviceIds("all")).toBeNull();
  });

  it("a CUDA_VISIBLE_DEVICES of '', all or none names no GPU (cuInit 100 in fixtures/cuda-visible-devices/): 0 GPUs, not every GPU", async () => {
    expect(cudaDeviceIds('""')).toEqual({ ids: [], note: 'CUDA_VISIBLE_DEVICES="": CUDA stops at an empty entry, so it sees no GPU' });
    expect(cudaDeviceIds("all")).toEqual({ ids: [], note: "CUDA_VISIBLE_DEVICES=all: CUDA stops at 'all' (neither an index nor a GPU-/MIG- UUID), so it sees no GPU" });
    expect(cudaDeviceIds("none").ids).toEqual([]);
    // Written in real compose files and snap manifests beside NVIDIA_VISIBLE_DEVICES: "all"; it was planned as if
    // every GPU were visible.
    const compose = ["services:", "  vllm:", "    image: vllm/vllm-openai:v0.11.0", "    command: --model Qwen/Qwen2.5-7B-Instruct", "    environment:", '      NVIDIA_VISIBLE_DEVICES: "all"', '      CUDA_VISIBLE_DEVICES: "all"', ""].join("\n");
    const ran = await runCheck(["-", "--gpu", "h100"], compose);
    expect(ran.code).toBe(1);
    expect(ran.out).toContain("needs 1 GPU (tensor × pipeline × data parallel), the deployment has 0");
    expect(ran.out).toMatch(/fix: give it 1 GPU$/m);
    expect(ran.out).toContain("CUDA_VISIBLE_DEVICES=all: CUDA stops at 'all' (neither an index nor a GPU-/MIG- UUID), so it sees no GPU");
  });

  it("docker run --gpus as docker/cli reads it (opts/gpus.go): all, a count, a quoted device list", () => {
    // --gpus '"device=1,4"' as written in fixtures/vllm-logs/raw/code-qwen3-32b-rtxpro6000-v0.27.1-tp2.md (the shell leaves the inner quotes).
    expect(dockerGpuRequest('"device=1,4"')).toEqual({ all: false, count: null, devices: ["1", "4"] });
    expect(dockerGpuRequest("2")).toEqual({ all: false, count: 2, devices: null });
    expect(dockerGpuRequest("count=2")).toEqual({ all: false, count: 2, devices: null });
    expect(dockerGpuRequest("all")).toEqual({ all: true, count: null, devices: null });
  });
});

describe("a deployment whose CUDA_VISIBLE_DEVICES leaves no GPU", () => {
  it("fails check with 0 GPUs instead of being planned on the GPUs it asks for", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const file = join(mkdtempSync(join(tmpdir(), "vram-plan-cvd-")), "serve.sh");
    // CUDA_VISIBLE_DEVICES=-1: cuInit 100, no device (fixtures/cuda-visible-devices/h200x2-driver-580.159.04.json).
    // Before the one device-list reader this was one GPU ("-1" kept as an id); after it, "not given" and the
    // 2 GPUs of -tp 2 were assumed, so the script passed although vLLM cannot see a GPU.
    writeFileSync(file, "export CUDA_VISIBLE_DEVICES=-1\nvllm serve Qwen/Qwen3-8B -tp 2 --max-model-len 8192\n");
    const r = await runCli(["check", "--offline", "--no-config", "--gpu", "h100-sxm", "--format", "json", file]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { deployments: Array<{ gpuCount: number | null; ok: boolean; failures: Array<{ kind: string; message: string }>; solve: string; notes: string[] }> };
    const [deployment] = report.deployments;
    expect(deployment?.gpuCount).toBe(0);
    expect(deployment?.ok).toBe(false);
    expect(deployment?.failures).toEqual([{ kind: "gpus", message: "needs 2 GPUs (tensor × pipeline × data parallel), the deployment has 0" }]);
    // solve's --max-gpus takes 1 or more: no '--max-gpus 0' in the command it suggests.
    expect(deployment?.solve).toBe("vram-plan solve --model Qwen/Qwen3-8B --gpu h100-sxm --vllm-version 0.29.0");
    expect(deployment?.notes).toContain("CUDA_VISIBLE_DEVICES=-1: CUDA stops at '-1' (neither an index nor a GPU-/MIG- UUID), so it sees no GPU");
  });
});
