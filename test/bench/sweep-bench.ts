// Sweep speed for npm run bench (README.md "Accuracy and speed": a solver sweep over 100,000 configurations
// in < 1 s): every configuration planned by planDeployment through the compiled core/sweep.js
// (dist/, what ships; npm run bench builds it first), one thread.
import { runSweep, sweepSize, type SweepAxis } from "../../dist/core/sweep.js";
import { engineFlagsFrom } from "../../dist/sources/engine-flags.js";
import { findInCatalog, loadCatalogFiles } from "../../dist/sources/catalog.js";
import { modelArchFromConfig } from "../../dist/core/architecture.js";
import { gpuCatalog } from "../../dist/sources/gpus.js";
import type { GpuProfile, ModelArch } from "../../dist/core/types.js";

function modelOf(name: string): ModelArch {
  const e = findInCatalog(name);
  if (!e) throw new Error(`sweep bench: ${name} not in catalog`);
  return modelArchFromConfig(e.hfId, loadCatalogFiles(e));
}

function range(a: number, b: number, step: number, digits = 0): number[] {
  const out: number[] = [];
  const n = Math.floor((b - a) / step + 1e-9) + 1;
  for (let i = 0; i < n; i++) out.push(Number((a + i * step).toFixed(digits)));
  return out;
}

const fmt = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * `--sweep gpu=all --sweep max-model-len=8k..128k:2k --sweep gpu-memory-utilization=0.30..0.95:0.01`
 * for Llama-3.1-8B-Instruct (27 GPUs × 61 lengths × 66 utilizations = 108,702 configurations),
 * and the same for Qwen2.5-VL-7B (vision encoder in the profile run). Median of 3 timed runs after a warm-up.
 */
export function sweepBenchLines(): string[] {
  const gpus: GpuProfile[] = gpuCatalog().map((g) => ({ id: g.id, name: g.name, cudaTotalBytes: g.cudaTotalBytes, computeCapability: g.computeCapability, smCount: g.smCount, source: g.source }));
  const axes: SweepAxis[] = [
    { key: "gpu", values: gpus },
    { key: "max-model-len", values: range(8000, 128000, 2000) },
    { key: "gpu-memory-utilization", values: range(0.3, 0.95, 0.01, 2) },
  ];
  const n = sweepSize(axes);
  const base = engineFlagsFrom({});
  const lines: string[] = [];
  for (const name of ["llama-3.1-8b", "qwen2.5-vl-7b"]) {
    const model = modelOf(name);
    // Warm-up (JIT, per-model caches) on a tenth of the GPUs.
    runSweep({ model, gpu: null, base, axes: [{ key: "gpu", values: gpus.slice(0, 3) }, ...axes.slice(1)] });
    const times: number[] = [];
    let starting = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      const res = runSweep({ model, gpu: null, base, axes });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      starting = res.rows.filter((r) => r.fits).length;
    }
    times.sort((a, b) => a - b);
    const median = times[1] ?? 0;
    lines.push(
      `Sweep: ${fmt(n)} configurations (${model.id}: 27 GPUs × 61 max-model-len × 66 utilizations, ${fmt(starting)} start) in ${median.toFixed(0)} ms median of 3 (${(n / (median / 1000)).toFixed(0)} plans/s) — target < 1 s: ${median < 1000 ? "met" : "NOT met"}`,
    );
  }
  return lines;
}

// Run directly: node --import tsx test/bench/sweep-bench.ts
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  for (const l of sweepBenchLines()) console.log(l);
}
