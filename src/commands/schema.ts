// `vram-plan schema`: the JSON Schema of `plan --json` (src/render/json-schema.ts).
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import { renderSchema } from "../render/json-schema.js";

export function schemaCommand(io: Io): Outcome {
  io.stdout(renderSchema());
  return { command: "info" };
}
