// Host memory and /dev/shm per deployment (issue #15.3, core/host-memory.ts). Every figure is worked
// by hand from the formulas there: ShmRingBuffer = (chunk + 1 + readers) × chunks bytes.
import { describe, expect, it } from "vitest";
import { planDeployment } from "../src/core/plan.js";
import { PROCESS_RSS_BYTES, ringBytes } from "../src/core/host-memory.js";
import { flags, gpu, model, GiB } from "./helpers/models.js";

const MiB = 2 ** 20;
const dense = model("Qwen/Qwen3-8B");

describe("processes and /dev/shm message queues", () => {
  it("TP 1: the API server and the engine core (the model runs inside it), no /dev/shm", () => {
    const host = planDeployment({ model: dense, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.29.0" }) }).host!;
    expect(host.processes).toBe(2);
    expect(host.shmBytes).toBe(0);
    expect(host.memoryBytes).toBe(2 * PROCESS_RSS_BYTES);
  });

  it("TP 2 on 0.29: four processes; executor broadcast 16 MiB × 10 + 2 responses 10 MiB × 10 + the TP group's 4 MiB × 6", () => {
    const host = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.29.0", tensorParallelSize: 2 }) }).host!;
    expect(host.processes).toBe(4);
    // (16,777,216 + 1 + 2) × 10 = 167,772,190; 2 × (10,485,760 + 2) × 10 = 209,715,240; (4,194,304 + 1 + 1) × 6 = 25,165,836
    expect(host.shmBytes).toBe(402_653_266);
    expect(host.shmBytes).toBeGreaterThan(64 * MiB); // Docker's default /dev/shm cannot hold it: the "Bus error" users hit
    expect(host.memoryBytes).toBe(4 * PROCESS_RSS_BYTES + 402_653_266);
  });

  it("before VLLM_MQ_MAX_CHUNK_BYTES_MB (0.10): the broadcast queue has MessageQueue's 10 MiB chunks", () => {
    const h = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.10.0", tensorParallelSize: 2 }) }).host!;
    expect(h.shmBytes).toBe(339_738_706);
  });

  it("V0 (0.7): API server, engine with the driver worker, one more worker; only the TP group's ring", () => {
    const host = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.7.0", tensorParallelSize: 2 }) }).host!;
    expect(host.processes).toBe(3);
    expect(host.shmBytes).toBe(ringBytes(4 * MiB, 6, 1));
    expect(host.shmBytes).toBe(25_165_836);
  });

  it("TP 2 × PP 2: four workers, two TP groups", () => {
    const host = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.29.0", tensorParallelSize: 2, pipelineParallelSize: 2 }) }).host!;
    expect(host.processes).toBe(6);
    // (16 MiB + 5) × 10 + 4 × (10 MiB + 2) × 10 + 2 × (4 MiB + 2) × 6
    expect(host.shmBytes).toBe(637_534_362);
  });

  it("DP 2 at TP 1: one engine core per replica, no workers; --api-server-count adds API servers", () => {
    expect(planDeployment({ model: dense, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.29.0", dataParallelSize: 2 }) }).host!.processes).toBe(3);
    expect(planDeployment({ model: dense, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.29.0", dataParallelSize: 2, apiServerCount: 2 }) }).host!.processes).toBe(4);
  });
});

describe("buffers the flags ask for", () => {
  it("--kv-offloading-size: pinned per TP worker, rounded up to a power of two, before 0.26 (PR #48436)", () => {
    // 20 GiB over 2 TP workers: 10 GiB each → 16 GiB pinned each → 32 GiB.
    const h = planDeployment({ model: dense, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.25.0", tensorParallelSize: 2, kvOffloadingBytes: 20 * GiB }) }).host!;
    expect(h.parts.find((p) => p.what === "kv-offload")).toEqual({ what: "kv-offload", bytes: 32 * GiB, shm: false, estimate: false });
  });

  it("--kv-offloading-size from 0.26: the requested size in /dev/shm (PR #50094)", () => {
    const host = planDeployment({ model: dense, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.26.0", tensorParallelSize: 2, kvOffloadingBytes: 20 * GiB }) }).host!;
    expect(host.parts.find((p) => p.what === "kv-offload")).toEqual({ what: "kv-offload", bytes: 20 * GiB, shm: true, estimate: false });
    expect(host.shmBytes).toBe(20 * GiB + 402_653_266);
    expect(host.memoryBytes).toBe(4 * PROCESS_RSS_BYTES + 20 * GiB + 402_653_266);
  });

  it("the multimodal processor cache: 4 GiB × (API servers + DP) by default; one shm FIFO with the shm type; none at 0", () => {
    const vl = model("Qwen/Qwen2.5-VL-7B-Instruct");
    const at = (f: Parameters<typeof flags>[0]) => planDeployment({ model: vl, gpu: gpu("a100-80g"), flags: flags({ vllmVersion: "0.29.0", ...f }) }).host!;
    expect(at({}).parts.find((p) => p.what === "mm-cache")?.bytes).toBe(8 * GiB);
    expect(at({ mmProcessorCacheBytes: 2 * GiB, dataParallelSize: 2 }).parts.find((p) => p.what === "mm-cache")?.bytes).toBe(6 * GiB);
    expect(at({ mmProcessorCacheType: "shm" }).shmBytes).toBe(4 * GiB);
    expect(at({ mmProcessorCacheBytes: 0 }).parts.some((p) => p.what === "mm-cache")).toBe(false);
    expect(at({ languageModelOnly: true }).parts.some((p) => p.what === "mm-cache")).toBe(false);
    // A text model has no processor cache.
    expect(planDeployment({ model: dense, gpu: gpu("h100"), flags: flags() }).host!.parts.some((p) => p.what === "mm-cache")).toBe(false);
  });

  it("sleep mode: level 1 keeps every GPU's weights in host memory", () => {
    const p = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.29.0", tensorParallelSize: 2, enableSleepMode: true }) });
    expect(p.host!.parts.find((x) => x.what === "sleep-weights")?.bytes).toBe(2 * p.perGpu[0]!.weightsBytes);
  });

  it("explains each part with its source", () => {
    const plan = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ tensorParallelSize: 2 }) }, { explain: true });
    const lines = plan.explain.filter((l) => l.what.startsWith("host"));
    expect(lines.map((l) => l.what)).toEqual(["host: vLLM's processes", "host: /dev/shm message queues", "host memory"]);
    expect(lines[1]!.source).toContain("shm_broadcast.py");
  });
});
