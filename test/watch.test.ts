// vram-plan watch against a stand-in nvidia-smi on PATH (never a real GPU), --interval 0. The GPUs are
// the H100s of fixtures/nvidia-smi (memory.total 81559 MiB, memory.reserved 480 MiB → CUDA total
// 85,017,493,504 B); what they show as used is set from the plan itself, so each test moves one number.
import { describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, unwrapped } from "./helpers/cli.js";
import { planDeployment } from "../src/core/plan.js";
import { compareSample, expectedPerRank } from "../src/core/watch.js";
import { flags, gpu, model, GiB } from "./helpers/models.js";
import { gibText } from "../src/core/text.js";

const MIB = 2 ** 20;
const UUID0 = "GPU-5f1c2a0e-1111-2222-3333-444455556666";
const UUID1 = "GPU-9d8e7f60-aaaa-bbbb-cccc-ddddeeeeffff";
const H100_CUDA_TOTAL = (81559 - 480) * MIB;

/** What nvidia-smi should show on rank 0 by the plan watch makes for Qwen3-8B at --max-model-len 8192 on these H100s. */
function expectedBytes(tp = 1): number {
  const p = planDeployment({ model: model("Qwen/Qwen3-8B"), gpu: { ...gpu("h100-sxm"), cudaTotalBytes: H100_CUDA_TOTAL }, flags: flags({ maxModelLen: 8192, tensorParallelSize: tp }) });
  return expectedPerRank(p)[0]!;
}

/** The same in whole MiB, as nvidia-smi writes it. */
function expectedMiB(tp = 1): number {
  return Math.round(expectedBytes(tp) / MIB);
}

/** A stand-in nvidia-smi whose n-th --query-gpu call answers gpus<n>.csv (the last one repeats). */
function standIn(samples: Array<{ used: [number, number]; apps: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), "vram-plan-watch-"));
  samples.forEach((s, i) => {
    writeFileSync(join(dir, `gpus${i + 1}.csv`), `0, ${UUID0}, NVIDIA H100 80GB HBM3, 81559, 480, ${s.used[0]}, Disabled, 9.0\n1, ${UUID1}, NVIDIA H100 80GB HBM3, 81559, 480, ${s.used[1]}, Disabled, 9.0\n`);
    writeFileSync(join(dir, `apps${i + 1}.csv`), s.apps);
  });
  const last = samples.length;
  const script = `#!/bin/sh
n=$(cat "${dir}/n" 2>/dev/null || echo 0)
case "$1" in
  --query-gpu=*) n=$((n + 1)); echo $n > "${dir}/n"; [ $n -gt ${last} ] && n=${last}; cat "${dir}/gpus$n.csv";;
  --query-compute-apps=*) [ $n -gt ${last} ] && n=${last}; [ $n -lt 1 ] && n=1; cat "${dir}/apps$n.csv";;
  *) exit 3;;
esac
`;
  writeFileSync(join(dir, "nvidia-smi"), script);
  chmodSync(join(dir, "nvidia-smi"), 0o755);
  return dir;
}

const run = (dir: string, argv: string[], env: Record<string, string> = {}) =>
  runCli(["watch", "--model", "Qwen/Qwen3-8B", "--max-model-len", "8192", "--interval", "0", "--offline", ...argv], { PATH: `${dir}:/usr/bin:/bin`, ...env });

describe("vram-plan watch", () => {
  it("used memory as planned: one line per GPU and sample, no drift, exit 0", async () => {
    const e = expectedMiB();
    const dir = standIn([{ used: [e, 4], apps: `${UUID0}, 4242, ${e - 4}, VLLM::EngineCore\n` }]);
    const result = await run(dir, ["--count", "2"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    // used: the e MiB the stand-in reports; free: memory.total − memory.reserved − used (81559 − 480 − e MiB).
    const line = `GPU 0 (rank 0): used ${gibText(e * MIB)}, plan ${gibText(expectedBytes())} (0.00 GiB), free ${gibText((81559 - 480 - e) * MIB)}`;
    expect(result.out.split("\n").filter((l) => l.includes("GPU 0 (rank 0)"))).toEqual([`[1] ${line}`, `[2] ${line}`]);
    expect(result.out).not.toContain("DRIFT");
  });

  it("memory above the plan past --tolerance: a DRIFT line, exit 1; within it: exit 0", async () => {
    const e = expectedMiB();
    const dir = standIn([{ used: [e + 3072, 4], apps: "" }]);
    const result = await run(dir, ["--count", "1"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("[1] DRIFT GPU 0: 3.00 GiB above the plan (tolerance 1.00 GiB)");
    expect((await run(standIn([{ used: [e + 3072, 4], apps: "" }]), ["--count", "1", "--tolerance", "4GiB"])).code).toBe(0);
  });

  it("another process appearing after the first sample, and a GPU near full, as JSON lines", async () => {
    const e = expectedMiB();
    const dir = standIn([
      { used: [e, 4], apps: `${UUID0}, 4242, ${e - 4}, VLLM::EngineCore\n` },
      { used: [81559 - 480 - 512, 4], apps: `${UUID0}, 4242, ${e - 4}, VLLM::EngineCore\n${UUID0}, 5151, 9000, python3\n` },
    ]);
    const result = await run(dir, ["--count", "2", "--json"]);
    expect(result.code).toBe(1);
    const lines = result.out.trim().split("\n").map((l) => JSON.parse(l) as { sample: number; failing: boolean; drifts: Array<{ code: string; pid?: number; message: string }> });
    expect(lines.map((l) => [l.sample, l.failing])).toEqual([[1, false], [2, true]]);
    expect(lines[1]!.drifts.map((d) => d.code)).toEqual(["ABOVE_PLAN", "PROCESS_APPEARED", "GPU_NEAR_FULL"]);
    expect(lines[1]!.drifts[1]!.message).toBe("GPU 0: another process appeared: python3 (pid 5151) holds 8.79 GiB");
    expect(lines[1]!.drifts[2]!.message).toBe("GPU 0: nearly full, 0.50 GiB free");
  });

  it("TP 2 watches both visible GPUs; CUDA_VISIBLE_DEVICES=1,0 puts rank 0 on GPU 1", async () => {
    const e = expectedMiB(2);
    const dir = standIn([{ used: [e, e], apps: "" }]);
    const result = await run(dir, ["--count", "1", "-tp", "2"], { CUDA_VISIBLE_DEVICES: "1,0" });
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^\[1\] GPU 1 \(rank 0\)/m);
    expect(result.out).toMatch(/^\[1\] GPU 0 \(rank 1\)/m);
  });

  it("more ranks than visible GPUs: one error naming both counts, exit 2", async () => {
    // --gpu h100 (--gpu auto refuses too few GPUs before sampling): CUDA_VISIBLE_DEVICES=1 leaves one of the
    // stand-in's two GPUs for -tp 2; without it, -tp 4 has two.
    const one = await run(standIn([{ used: [4, 4], apps: "" }]), ["--count", "1", "-tp", "2", "--gpu", "h100"], { CUDA_VISIBLE_DEVICES: "1" });
    expect(one.code).toBe(2);
    expect(unwrapped(one.err)).toBe("vram-plan: nvidia-smi shows 1 visible GPU; the deployment uses 2\n");
    const two = await run(standIn([{ used: [4, 4], apps: "" }]), ["--count", "1", "-tp", "4", "--gpu", "h100"]);
    expect(unwrapped(two.err)).toBe("vram-plan: nvidia-smi shows 2 visible GPUs; the deployment uses 4\n");
  });

  it("a pasted vllm serve command and a deployment file give the same plan", async () => {
    const e = expectedMiB();
    const pasted = await run(standIn([{ used: [e, 4], apps: "" }]), ["--count", "1", "--", "vllm", "serve", "Qwen/Qwen3-8B", "--max-model-len", "8192"]);
    expect(pasted.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-watch-file-"));
    writeFileSync(join(dir, "serve.sh"), "vllm serve Qwen/Qwen3-8B --max-model-len 8192\n");
    const smi = standIn([{ used: [e, 4], apps: "" }]);
    const result = await runCli(["watch", "--file", join(dir, "serve.sh"), "--interval", "0", "--count", "1", "--offline"], { PATH: `${smi}:/usr/bin:/bin` });
    expect(result.code).toBe(0);
    expect(result.out).toContain("watching 1 GPU for Qwen/Qwen3-8B");
  });

  it("bad input and a missing nvidia-smi: one line, exit 2", async () => {
    const dir = standIn([{ used: [4, 4], apps: "" }]);
    expect((await run(dir, ["--interval", "soon"])).err).toBe("vram-plan: --interval: expected seconds from 0 to 86400, got 'soon'\n");
    expect((await run(dir, ["--count", "0"])).code).toBe(2);
    // --count and --tolerance are read by the flag readers every command uses (sources/flag-values.ts).
    expect((await run(dir, ["--count", "1.5"])).err).toBe("vram-plan: --count: expected an integer from 1 to 999999999, got '1.5'\n");
    expect(unwrapped((await run(dir, ["--count", "1", "--tolerance", "2PiB"])).err)).toBe("vram-plan: --tolerance: expected a size up to 1 PiB such as 20GiB, 20GB, 512MiB or a byte count, got '2PiB'\n");
    const none = await run(mkdtempSync(join(tmpdir(), "vram-plan-nosmi-")), ["--count", "1"]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^vram-plan: .*nvidia-smi/);
    // With --gpu given, nvidia-smi is read only for the samples: the error names watch (not --gpu auto)
    // and comes alone, no header printed above it.
    const given = await run(mkdtempSync(join(tmpdir(), "vram-plan-nosmi-")), ["--gpu", "h100", "--count", "1"]);
    expect(given.code).toBe(2);
    expect(given.out).toBe("");
    expect(unwrapped(given.err)).toBe("vram-plan: watch: nvidia-smi was not found on PATH (no NVIDIA driver here?): give --gpu <id> or --gpu-memory <size> instead\n");
  });

  it("the header fits 80 columns: 92 on one line for Qwen3-8B on an H100, broken after its ';'", async () => {
    const result = await run(standIn([{ used: [expectedMiB(), 4], apps: "" }]), ["--count", "1"]);
    expect(result.out.startsWith("watching 1 GPU for Qwen/Qwen3-8B on NVIDIA H100 80GB HBM3 (vLLM 0.29.0);\n  tolerance 1.00 GiB\n")).toBe(true);
    for (const l of result.out.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
  });
});

describe("compareSample (core/watch.ts)", () => {
  it("drift is used − expected per rank; below the plan past the tolerance is a drift too", () => {
    const plan = planDeployment({ model: model("Qwen/Qwen3-8B"), gpu: gpu("h100-sxm"), flags: flags({ maxModelLen: 8192 }) });
    const exp = expectedPerRank(plan)[0]!;
    const s = compareSample(plan, [{ index: 0, name: "H100", cudaTotalBytes: 80 * GiB, usedBytes: exp - 2 * GiB, apps: [] }], null, { toleranceBytes: GiB, nearFullBytes: GiB });
    expect(s.rows[0]!.driftBytes).toBe(-2 * GiB);
    expect(s.drifts).toEqual([{ code: "BELOW_PLAN", index: 0, driftBytes: -2 * GiB, failing: true }]);
  });
});
