// --gpu auto and gpus --detect against a stand-in nvidia-smi on PATH, answering with the numbers of the
// real H100 captures in fixtures/nvidia-smi (memory.total 81559 MiB, memory.reserved 480 MiB; idle
// memory.used 4 MiB; busy 10767 MiB while one python3 process held 10758 MiB).
import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, writeFileSync, chmodSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorLinesOf, runCli, unwrapped } from "./helpers/cli.js";
import { parseAppsQuery, parseGpuQuery, visibleGpus, GPU_QUERY_FIELDS, queryGpus } from "../src/sources/nvidia-smi.js";
import { CUDA_CONTEXT_BYTES } from "../src/core/non-torch.js";

const MIB = 2 ** 20;
const UUID0 = "GPU-5f1c2a0e-1111-2222-3333-444455556666";
const UUID1 = "GPU-9d8e7f60-aaaa-bbbb-cccc-ddddeeeeffff";
// Two H100s in --query-gpu=index,uuid,name,memory.total,memory.reserved,memory.used,mig.mode.current,compute_cap order:
// GPU 0 busy (10767 MiB used, fixtures/nvidia-smi/smi_csv_busy.txt), GPU 1 idle (4 MiB, smi_csv.txt).
const TWO_H100 = `0, ${UUID0}, NVIDIA H100 80GB HBM3, 81559, 480, 10767, Disabled, 9.0\n1, ${UUID1}, NVIDIA H100 80GB HBM3, 81559, 480, 4, Disabled, 9.0\n`;
const APPS = `${UUID0}, 421, 10758, python3\n`;

function standIn(gpuCsv: string, appsCsv: string, opts: { oldDriver?: boolean; fail?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "vram-plan-smi-"));
  writeFileSync(join(dir, "gpus.csv"), gpuCsv);
  writeFileSync(join(dir, "apps.csv"), appsCsv);
  const gpuBranch = opts.fail
    ? `echo "${opts.fail}" >&2; exit 9`
    : opts.oldDriver
      ? `case "$1" in *memory.reserved*) echo 'Field "memory.reserved" is not a valid field to query.' ; exit 2;; esac; cat "${dir}/gpus.csv"`
      : `cat "${dir}/gpus.csv"`;
  const script = `#!/bin/sh\ncase "$1" in\n  --query-gpu=*) ${gpuBranch};;\n  --query-compute-apps=*) cat "${dir}/apps.csv";;\n  *) exit 3;;\nesac\n`;
  writeFileSync(join(dir, "nvidia-smi"), script);
  chmodSync(join(dir, "nvidia-smi"), 0o755);
  return dir;
}

describe("nvidia-smi CSV", () => {
  it("reads the CUDA-visible total as memory.total - memory.reserved (the H100 capture: torch total 85,017,493,504 B)", () => {
    const [g] = parseGpuQuery(TWO_H100, GPU_QUERY_FIELDS);
    // (81559 - 480) MiB = 81079 × 1,048,576 = 85,017,493,504 B = torch_totals.json total_bytes.
    expect(g?.cudaTotalBytes).toBe(85_017_493_504);
    const torch = JSON.parse(readFileSync("fixtures/nvidia-smi/torch_totals.json", "utf8")) as { total_bytes: number };
    expect(g?.cudaTotalBytes).toBe(torch.total_bytes);
    expect(g?.usedBytes).toBe(10767 * MIB);
    expect(g?.computeCapability).toBe("9.0");
    expect(g?.migEnabled).toBe(false);
  });

  it("reads the H200 capture within nvidia-smi's whole-MiB rounding (143771 - 616 MiB vs torch's 143155.94 MiB)", () => {
    const [g] = parseGpuQuery(`0, GPU-x, NVIDIA H200, 143771, 616, 0, Disabled, 9.0`, GPU_QUERY_FIELDS);
    const torch = JSON.parse(readFileSync("fixtures/nvidia-smi/torch_totals_h200.json", "utf8")) as { total_bytes: number };
    expect(g?.cudaTotalBytes).toBe(143155 * MIB);
    expect(torch.total_bytes - (g?.cudaTotalBytes ?? 0)).toBeGreaterThan(0);
    expect(torch.total_bytes - (g?.cudaTotalBytes ?? 0)).toBeLessThan(MIB);
  });

  it("skips compute apps whose memory is [N/A] (MIG, containers)", () => {
    expect(parseAppsQuery(`${APPS}${UUID1}, 77, [N/A], python\n`)).toEqual([{ gpuUuid: UUID0, pid: 421, usedBytes: 10758 * MIB, name: "python3" }]);
  });

  it("follows CUDA_VISIBLE_DEVICES: indices, UUID prefixes, and stops at the first entry that names no GPU", () => {
    const all = queryGpus((args) => (args[0]?.startsWith("--query-gpu") ? TWO_H100 : APPS));
    expect(visibleGpus(all, undefined).gpus.map((g) => g.index)).toEqual([0, 1]);
    expect(visibleGpus(all, "1,0").gpus.map((g) => g.index)).toEqual([1, 0]);
    expect(visibleGpus(all, "GPU-9d8e").gpus.map((g) => g.index)).toEqual([1]);
    expect(visibleGpus(all, "").gpus).toEqual([]);
    const cut = visibleGpus(all, "1,7,0");
    expect(cut.gpus.map((g) => g.index)).toEqual([1]);
    expect(cut.notes[0]).toContain("'7' names no GPU here");
  });
});

describe("--gpu auto", () => {
  let dir = "";
  beforeAll(() => {
    dir = standIn(TWO_H100, APPS);
  });

  it("plans the first visible GPU and counts what other processes hold in vLLM's free-memory check", async () => {
    const result = await runCli(["--model", "qwen3-8b", "--gpu", "auto", "--json"], { PATH: `${dir}:/usr/bin:/bin` });
    const plan = JSON.parse(result.out) as { fits: boolean; perGpu: Array<{ totalBytes: number; otherProcessBytes: number; freeAtStartBytes: number }>; diagnostics: Array<{ code: string }> };
    const g = plan.perGpu[0];
    expect(g?.totalBytes).toBe(85_017_493_504);
    expect(g?.otherProcessBytes).toBe(10767 * MIB);
    // free at start = CUDA total - CUDA context - other processes = 85,017,493,504 - 650,969,088 - 11,290,017,792
    expect(g?.freeAtStartBytes).toBe(85_017_493_504 - CUDA_CONTEXT_BYTES - 10767 * MIB);
    // 0.92 × 79.18 GiB = 72.84 GiB requested > 68.06 GiB free: vLLM's start-up check fails (gpu_worker.py).
    expect(plan.fits).toBe(false);
    expect(plan.diagnostics.map((d) => d.code)).toContain("FREE_MEMORY_BELOW_BUDGET");
    expect(result.code).toBe(1);
    // The note is 108 columns on one line: wrapped within COLUMNS (80 when unset) like every other stderr line.
    expect(unwrapped(result.err)).toContain("vram-plan: note: GPU 0 (NVIDIA H100 80GB HBM3): other processes hold 10.51 GiB: python3 (pid 421, 10.51 GiB)\n");
    for (const l of result.err.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
  });

  it("honors CUDA_VISIBLE_DEVICES: rank 0 on the idle GPU 1 starts", async () => {
    const result = await runCli(["--model", "qwen3-8b", "--gpu", "auto", "--json"], { PATH: `${dir}:/usr/bin:/bin`, CUDA_VISIBLE_DEVICES: "1" });
    const plan = JSON.parse(result.out) as { fits: boolean; perGpu: Array<{ otherProcessBytes: number }> };
    expect(plan.perGpu[0]?.otherProcessBytes).toBe(4 * MIB);
    expect(plan.fits).toBe(true);
    expect(result.code).toBe(0);
  });

  it("TP 2 uses both GPUs, so the busy one decides", async () => {
    const r = await runCli(["--model", "qwen3-8b", "--gpu", "auto", "-tp", "2", "--json"], { PATH: `${dir}:/usr/bin:/bin` });
    expect(r.code).toBe(1);
  });

  it("more ranks than visible GPUs is one line, exit 2", async () => {
    const r = await runCli(["--model", "qwen3-8b", "--gpu", "auto", "-tp", "4"], { PATH: `${dir}:/usr/bin:/bin` });
    expect(r.code).toBe(2);
    expect(unwrapped(r.err)).toBe("vram-plan: --gpu auto: the deployment needs 4 GPUs (TP × PP × DP) and 2 are visible here\n");
  });

  it("when CUDA_VISIBLE_DEVICES hides GPUs, the error says why (it said only how many were visible)", async () => {
    const r = await runCli(["--model", "qwen3-8b", "--gpu", "auto", "-tp", "2"], { PATH: `${dir}:/usr/bin:/bin`, CUDA_VISIBLE_DEVICES: "0,,1" });
    expect(r.code).toBe(2);
    expect(unwrapped(r.err)).toBe("vram-plan: --gpu auto: the deployment needs 2 GPUs (TP × PP × DP) and 1 is visible here CUDA_VISIBLE_DEVICES: CUDA stops at an empty entry and ignores every entry after it\n");
    errorLinesOf(r.err);
  });

  it("an old driver without memory.reserved is asked again without it", async () => {
    const old = standIn(`0, ${UUID1}, NVIDIA H100 80GB HBM3, 81559, 4, Disabled\n`, "", { oldDriver: true });
    const result = await runCli(["gpus", "--detect", "--json"], { PATH: `${old}:/usr/bin:/bin` });
    const got = JSON.parse(result.out) as { gpus: Array<{ cudaTotalBytes: number; reservedBytes: number | null; profile: string }> };
    expect(got.gpus[0]?.reservedBytes).toBeNull();
    expect(got.gpus[0]?.cudaTotalBytes).toBe(81559 * MIB);
    expect(got.gpus[0]?.profile).toBe("h100-sxm");
  });

  it("no nvidia-smi, or one that fails: exit 2 with one line", async () => {
    const none = await runCli(["--model", "qwen3-8b", "--gpu", "auto"], { PATH: "/nonexistent" });
    expect(none.code).toBe(2);
    expect(unwrapped(none.err)).toBe("vram-plan: --gpu auto: nvidia-smi was not found on PATH (no NVIDIA driver here?): give --gpu <id> or --gpu-memory <size> instead\n");
    const broken = standIn("", "", { fail: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." });
    const result = await runCli(["gpus", "--detect"], { PATH: `${broken}:/usr/bin:/bin` });
    expect(result.code).toBe(2);
    expect(unwrapped(result.err)).toBe("vram-plan: gpus --detect: nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n");
  });

  it("gpus --detect lists each GPU, its profile and the processes on it", async () => {
    const result = await runCli(["gpus", "--detect"], { PATH: `${dir}:/usr/bin:/bin` });
    expect(result.code).toBe(0);
    expect(result.out).toContain("GPU 0  NVIDIA H100 80GB HBM3 → h100-sxm");
    // The memory line is 94 columns: wrapped at its comma within 80, the rest indented under it.
    expect(result.out).toContain("  CUDA total 79.18 GiB (memory.total 79.65 − reserved 0.47),\n    used by other processes 10.51 GiB\n");
    expect(result.out).toContain("pid 421 python3 10.51 GiB");
    for (const l of result.out.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
  });

  it("MIG mode on a used GPU asks for the slice", async () => {
    const mig = standIn(`0, ${UUID0}, NVIDIA H100 80GB HBM3, 81559, 480, 0, Enabled, 9.0\n`, "");
    const result = await runCli(["--model", "qwen3-8b", "--gpu", "auto"], { PATH: `${mig}:/usr/bin:/bin` });
    expect(result.code).toBe(2);
    expect(result.err).toContain("MIG is enabled on GPU 0");
  });
});
