// `vram-plan models`: the built-in model catalog.
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import { catalog } from "../sources/catalog.js";
import { renderModels } from "../render/catalog.js";
import { outputColumns } from "../render/format.js";

export function modelsCommand(opts: { json?: boolean }, io: Io): Outcome {
  io.stdout(renderModels(catalog(), opts.json === true, outputColumns(io.env)));
  return { command: "info" };
}
