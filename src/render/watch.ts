// `vram-plan watch` output: readable lines per sample, or one JSON object per sample (--json) for a monitor.
import type { Drift, WatchSample } from "../core/watch.js";
import type { Plan } from "../core/types.js";
import { wrapLine, gibText, signed, plural } from "./format.js";

/** The header above the samples: what is watched against which plan, wrapped to `columns`. */
export function renderWatchHeader(plan: Plan, gpuName: string, toleranceBytes: number, columns: number): string {
  const header = `watching ${plan.gpu.count} ${plural(plan.gpu.count, "GPU")} for ${plan.model.id} on ${gpuName} (vLLM ${plan.engine.vllmVersion}); tolerance ${gibText(toleranceBytes)}`;
  return wrapLine(header, columns, ["; ", " "]).join("\n") + "\n";
}

/** "+0.32 GiB" / "−1.20 GiB" (a drift that rounds to zero is +0.00). */

/** One drift in words. */
export function driftText(drift: Drift, toleranceBytes: number): string {
  switch (drift.code) {
    case "ABOVE_PLAN":
      return `GPU ${drift.index}: ${gibText(drift.driftBytes)} above the plan (tolerance ${gibText(toleranceBytes)})`;
    case "BELOW_PLAN":
      return `GPU ${drift.index}: ${gibText(-drift.driftBytes)} below the plan (tolerance ${gibText(toleranceBytes)}): vLLM not up yet, or the plan does not match what runs`;
    case "PROCESS_APPEARED":
      return `GPU ${drift.index}: another process appeared: ${drift.name || "?"} (pid ${drift.pid}) holds ${gibText(drift.usedBytes)}`;
    case "GPU_NEAR_FULL":
      return `GPU ${drift.index}: nearly full, ${gibText(drift.freeBytes)} free`;
  }
}

export function renderWatchSample(sampleNumber: number, sample: WatchSample, toleranceBytes: number): string {
  const lines = sample.rows.map(
    (r) => `[${sampleNumber}] GPU ${r.index} (rank ${r.rank}${r.stage > 0 ? `, stage ${r.stage}` : ""}): used ${gibText(r.usedBytes)}, plan ${gibText(r.expectedBytes)} (${signed(r.driftBytes, gibText(Math.abs(r.driftBytes)))}), free ${gibText(r.freeBytes)}`,
  );
  for (const d of sample.drifts) lines.push(`[${sampleNumber}] ${d.failing ? "DRIFT" : "note "} ${driftText(d, toleranceBytes)}`);
  return lines.join("\n") + "\n";
}

export function renderWatchJsonLine(sampleNumber: number, sample: WatchSample, toleranceBytes: number): string {
  return (
    JSON.stringify({
      sample: sampleNumber,
      failing: sample.failing,
      gpus: sample.rows,
      drifts: sample.drifts.map((d) => ({ ...d, message: driftText(d, toleranceBytes) })),
    }) + "\n"
  );
}
