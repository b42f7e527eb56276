// `vram-plan gpus`: the GPU profiles (src/data/gpus.json).
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import { gpuCatalogue } from "../sources/gpus.js";
import { renderGpus } from "../render/catalogue.js";

export function gpusCommand(o: { json?: boolean }, io: Io): Outcome {
  io.stdout(renderGpus(gpuCatalogue(), o.json === true));
  return { command: "info" };
}
