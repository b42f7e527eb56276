// Where the built-in data lives: src/data in the package (dist/ code reads ../src/data).
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
/** Works from src/sources (tsx) and dist/sources (compiled). */
export const DATA_DIR = join(here, "..", "..", "src", "data");
