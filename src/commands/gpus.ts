// `vram-plan gpus`: the GPU profiles (src/data/gpus.json); with --detect, this machine's GPUs (nvidia-smi).
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import { findGpu, gpuCatalog, migProfiles } from "../sources/gpus.js";
import { renderDetectedGpus, renderGpus } from "../render/catalog.js";

export async function gpusCommand(o: { json?: boolean; detect?: boolean }, io: Io): Promise<Outcome> {
  if (o.detect !== true) {
    // Each card, then its MIG slices as --gpu CARD:SLICE takes them (src/data/mig-profiles.json).
    const list = gpuCatalog().flatMap((g) => [
      g,
      ...(migProfiles().get(g.id) ?? []).map((m) => ({ id: `${g.id}:${m.name}`, name: `${g.name} MIG ${m.name}`, cudaTotalBytes: m.cudaTotalBytes, cudaTotalExact: false, computeCapability: g.computeCapability, smCount: m.smCount, source: m.source, mig: { gpu: g.id, profile: m.name, memorySlices: m.memorySlices, captured: m.exact } })),
    ]);
    io.stdout(renderGpus(list, o.json === true));
    return { command: "info" };
  }
  const { nvidiaSmiRunner, queryGpus, visibleGpus } = await import("../sources/nvidia-smi.js");
  const all = queryGpus(nvidiaSmiRunner(io.env), "gpus --detect");
  const { gpus, notes } = visibleGpus(all, io.env["CUDA_VISIBLE_DEVICES"]);
  const listing = all.map((g) => ({
    index: g.index,
    uuid: g.uuid,
    name: g.name,
    profile: findGpu(g.name)?.id ?? null,
    totalBytes: g.totalBytes,
    reservedBytes: g.reservedBytes,
    cudaTotalBytes: g.cudaTotalBytes,
    usedBytes: g.usedBytes,
    migEnabled: g.migEnabled,
    visible: gpus.includes(g),
    apps: g.apps,
  }));
  io.stdout(renderDetectedGpus(listing, notes, o.json === true));
  return { command: "info" };
}
