// `vram-plan models`: the built-in model catalogue.
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import { catalogue } from "../sources/catalogue.js";
import { renderModels } from "../render/catalogue.js";
import { outputColumns } from "../render/format.js";

export function modelsCommand(o: { json?: boolean }, io: Io): Outcome {
  io.stdout(renderModels(catalogue(), o.json === true, outputColumns(io.env)));
  return { command: "info" };
}
