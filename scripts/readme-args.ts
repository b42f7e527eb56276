// Rewrites README.md's "vLLM arguments" section from the argument table (src/render/arg-coverage.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { withArgCoverage } from "../src/render/arg-coverage.js";

const path = new URL("../README.md", import.meta.url);
const next = withArgCoverage(readFileSync(path, "utf8"));
if (next === null) {
  process.stderr.write("README.md has no vllm-args markers\n");
  process.exit(2);
}
writeFileSync(path, next);
