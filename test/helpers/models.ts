import { findInCatalog, loadCatalogFiles } from "../../src/sources/catalog.js";
import { modelArchFromConfig } from "../../src/core/architecture.js";
import { findGpu } from "../../src/sources/gpus.js";
import type { EngineFlags, GpuProfile, ModelArch } from "../../src/core/types.js";

export function model(name: string): ModelArch {
  const e = findInCatalog(name);
  if (!e) throw new Error(`not in catalog: ${name}`);
  return modelArchFromConfig(e.hfId, loadCatalogFiles(e));
}

export function gpu(id: string, totalBytes?: number): GpuProfile {
  const g = findGpu(id);
  if (!g) throw new Error(`no gpu ${id}`);
  return { ...g, cudaTotalBytes: totalBytes ?? g.cudaTotalBytes };
}

export function flags(f: Partial<EngineFlags> = {}): EngineFlags {
  return {
    tensorParallelSize: 1,
    pipelineParallelSize: 1,
    kvCacheDtype: "auto",
    enforceEager: false,
    usageContext: "server",
    otherProcessBytes: 0,
    enableExpertParallel: false,
    dataParallelSize: 1,
    mmEncoderTpMode: "weights",
    skipMmProfiling: false,
    disableHybridKvCacheManager: false,
    ...f,
  };
}

export const GiB = 2 ** 30;
