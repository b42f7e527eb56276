// `vram-plan gpus`: the GPU profiles (src/data/gpus.json).
import type { Io } from "./io.js";
import { gpuCatalogue } from "../sources/gpus.js";
import { gib } from "../render/format.js";

export function gpusCommand(o: { json?: boolean }, io: Io): number {
  const list = gpuCatalogue();
  if (o.json) io.stdout(JSON.stringify(list, null, 2) + "\n");
  else io.stdout(list.map((g) => `${g.id.padEnd(14)} ${g.name.padEnd(46)} ${gib(g.cudaTotalBytes).padStart(7)} GiB  cc ${g.computeCapability}${g.cudaTotalExact ? "" : "  (estimated total)"}`).join("\n") + "\n");
  return 0;
}
