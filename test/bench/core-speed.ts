// Plans per second of the pure core, in a process of its own (npm run bench spawns it), so the JIT
// state left by the accuracy cases — many models and flag sets through the same call sites — does
// not decide the figure. It runs the compiled dist/ (what ships; npm run bench builds it first). Best of
// three one-second runs.
import { planDeployment } from "../../dist/core/plan.js";
import { engineFlagsFrom } from "../../dist/sources/engine-flags.js";
import { findInCatalog, loadCatalogFiles } from "../../dist/sources/catalog.js";
import { modelArchFromConfig } from "../../dist/core/architecture.js";
import { findGpu } from "../../dist/sources/gpus.js";

const entry = findInCatalog("qwen2.5-vl-7b");
const gpu = findGpu("a100-80g");
if (!entry || !gpu) throw new Error("core-speed: catalog entries missing");
const model = modelArchFromConfig(entry.hfId, loadCatalogFiles(entry));
const base = engineFlagsFrom({});
const lens = [4096, 8192, 16384, 32768, 65536, 128000];
let best = 0;
for (let run = 0; run < 3; run++) {
  let n = 0;
  const t0 = process.hrtime.bigint();
  const deadline = Number(t0) + 1e9;
  while (Number(process.hrtime.bigint()) < deadline) {
    for (let i = 0; i < 1000; i++) {
      // A new flags object per plan, as a sweep or a solver makes them.
      planDeployment({ model, gpu, flags: { ...base, maxModelLen: lens[i % lens.length] as number } });
      n++;
    }
  }
  best = Math.max(best, n / (Number(process.hrtime.bigint() - t0) / 1e9));
}
console.log(Math.round(best));
