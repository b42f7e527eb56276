// Offline (transformers generate) accuracy for npm run bench (issue #6): every measured case in
// fixtures/offline/*.json against offlineFootprint, against the targets README.md "Accuracy and speed" lists.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { modelArchFromConfig } from "../../src/core/architecture.js";
import { findInCatalog, loadCatalogFiles } from "../../src/sources/catalog.js";
import { offlineFootprint, type AttnImplementation } from "../../src/core/offline.js";
import { imageTokens, pixelLimits } from "../../src/core/vision.js";
import type { ModelArch } from "../../src/core/types.js";

const GiB = 2 ** 30;

export interface OfflineCase {
  name: string;
  prompt_tokens: number;
  batch: number;
  images: [number, number][];
  new_tokens: number;
  peak_allocated_gib: number;
  peak_reserved_gib: number;
  device_used_after_gib: number;
}
interface OfflineRun {
  model: string;
  config?: string;
  overrides?: Record<string, unknown>;
  attn: string;
  error?: string;
  cases?: (OfflineCase | { name: string; error: string })[];
}
interface OfflineFile {
  gpu: string;
  runs: OfflineRun[];
}

export interface OfflineResult {
  file: string;
  gpu: string;
  model: string;
  attn: AttnImplementation;
  case: OfflineCase;
  predAllocated: number;
  predDevice: number;
  errAllocated: number;
  errDevice: number;
}

function archOf(root: string, run: OfflineRun): ModelArch {
  if (run.config) {
    const cfg = JSON.parse(readFileSync(join(root, "src/data/models", run.config), "utf8")) as Record<string, unknown>;
    return modelArchFromConfig(`${run.model}`, { config: { ...cfg, ...(run.overrides ?? {}) } as never });
  }
  const entry = findInCatalog(run.model);
  if (!entry) throw new Error(`offline bench: ${run.model} not in catalog`);
  return modelArchFromConfig(entry.hfId, loadCatalogFiles(entry));
}

/** Predicted vs measured for every case of every fixtures/offline/h100-offline-*.json. */
export function offlineResults(root: string): OfflineResult[] {
  const dir = join(root, "fixtures/offline");
  const out: OfflineResult[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const doc = JSON.parse(readFileSync(join(dir, f), "utf8")) as OfflineFile;
    for (const run of doc.runs) {
      if (run.error || !run.cases) continue;
      const arch = archOf(root, run);
      const attn = run.attn as AttnImplementation;
      for (const c of run.cases) {
        if ("error" in c) continue;
        let imgTok = 0;
        if (arch.vision) for (const [w, h] of c.images) imgTok += imageTokens(arch.vision, w, h, pixelLimits(arch.vision)).tokens;
        const fp = offlineFootprint({ model: arch, promptTokens: c.prompt_tokens - imgTok, images: c.images.map(([w, h]) => ({ width: w, height: h })), batch: c.batch, newTokens: c.new_tokens, attn });
        const mAlloc = c.peak_allocated_gib * GiB;
        const mDev = c.device_used_after_gib * GiB;
        out.push({ file: f, gpu: doc.gpu, model: run.model, attn, case: c, predAllocated: fp.peakAllocatedBytes, predDevice: fp.deviceBytes, errAllocated: (fp.peakAllocatedBytes - mAlloc) / mAlloc, errDevice: (fp.deviceBytes - mDev) / mDev });
      }
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const signed = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`;

export function offlineBenchLines(root: string): string[] {
  const lines = ["", "== Offline (transformers generate) footprint against fixtures/offline ==" ];
  const rs = offlineResults(root);
  for (const r of rs) {
    const c = r.case;
    const img = c.images.length ? ` ${c.images.length} image(s)` : "";
    lines.push(
      `  ${r.model} ${r.attn} ${c.name} (${c.prompt_tokens} tok${img}, batch ${c.batch}): peak allocated ${(r.predAllocated / GiB).toFixed(2)} vs ${c.peak_allocated_gib.toFixed(2)} GiB (${signed(r.errAllocated)}); device ${(r.predDevice / GiB).toFixed(2)} vs ${c.device_used_after_gib.toFixed(2)} GiB (${signed(r.errDevice)})`,
    );
  }
  const dev = rs.map((r) => Math.abs(r.errDevice));
  const al = rs.map((r) => Math.abs(r.errAllocated));
  lines.push(`Offline peak device memory: median error ${pct(median(dev))}, worst ${pct(Math.max(0, ...dev))} over ${rs.length} cases — target: median <= 5 %, worst <= 10 %`);
  lines.push(`Offline peak allocated: median error ${pct(median(al))} — target: median <= 5 %`);
  return lines;
}
