// Where the built-in data lives: src/data in the package. This module runs from src/sources (tsx),
// dist/sources (the tsc library build), dist/chunks (the bundled bin's chunks) or dist/ (a chunk
// esbuild merged into the bin itself), so the package root is one or two levels up.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

// import.meta.dirname (Node 20.11+; the bundled bin's is its __dirname) spares the URL round trip.
const here = import.meta.dirname ?? dirname(fileURLToPath(import.meta.url));
const candidates = [join(here, "..", "..", "src", "data"), join(here, "..", "src", "data")];
export const DATA_DIR = candidates.find((dir) => existsSync(join(dir, "gpus.json"))) ?? join(here, "..", "..", "src", "data");
