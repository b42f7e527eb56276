// `vram-plan gpus`: the GPU profiles (src/data/gpus.json); with --detect, this machine's GPUs (nvidia-smi).
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import { findGpu, gpuCatalog, migProfiles } from "../sources/gpus.js";
import { renderDetectedGpus, renderGpus } from "../render/catalog.js";
import { outputColumns } from "../render/format.js";

export async function gpusCommand(opts: { json?: boolean; detect?: boolean }, io: Io): Promise<Outcome> {
  if (opts.detect !== true) {
    // Each card, then its MIG slices as --gpu CARD:SLICE takes them (src/data/mig-profiles.json).
    const list = gpuCatalog().flatMap((card) => [
      card,
      ...(migProfiles().get(card.id) ?? []).map((m) => ({ id: `${card.id}:${m.name}`, name: `${card.name} MIG ${m.name}`, cudaTotalBytes: m.cudaTotalBytes, cudaTotalExact: false, computeCapability: card.computeCapability, smCount: m.smCount, source: m.source, mig: { gpu: card.id, profile: m.name, memorySlices: m.memorySlices, captured: m.exact } })),
    ]);
    io.stdout(renderGpus(list, opts.json === true));
    return { command: "info" };
  }
  const { nvidiaSmiRunner, queryGpus, visibleGpus } = await import("../sources/nvidia-smi.js");
  const all = queryGpus(nvidiaSmiRunner(io.env), "gpus --detect");
  const { gpus, notes } = visibleGpus(all, io.env["CUDA_VISIBLE_DEVICES"]);
  const listing = all.map((detected) => ({
    index: detected.index,
    uuid: detected.uuid,
    name: detected.name,
    profile: findGpu(detected.name)?.id ?? null,
    totalBytes: detected.totalBytes,
    reservedBytes: detected.reservedBytes,
    cudaTotalBytes: detected.cudaTotalBytes,
    usedBytes: detected.usedBytes,
    migEnabled: detected.migEnabled,
    visible: gpus.includes(detected),
    apps: detected.apps,
  }));
  io.stdout(renderDetectedGpus(listing, notes, opts.json === true, outputColumns(io.env)));
  return { command: "info" };
}
