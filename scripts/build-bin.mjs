// Bundles the bin (src/cli.ts) into dist/cli.js with esbuild: one file for what every run needs
// (commander, the CLI wiring), and chunks in dist/chunks/ for what `await import()` loads only when a
// command runs (each src/commands/<name>.ts, the YAML reader, zod, the renderers). One file instead of
// ~40 modules resolved and read at start-up is most of the start-up cost (npm run bench).
// `tsc` still builds dist/ for the library and its types; this runs after it and replaces dist/cli.js.
import { build } from "esbuild";
import { chmodSync, rmSync } from "node:fs";

rmSync("dist/chunks", { recursive: true, force: true });
await build({
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // CommonJS packages bundled into ESM (undici, commander's require of node:events) need `require`.
  banner: { js: "import { createRequire as __vramPlanCreateRequire } from 'node:module'; const require = __vramPlanCreateRequire(import.meta.url);" },
  logLevel: "warning",
});
// The bin is run directly (package.json "bin", ./dist/cli.js): executable whatever tsc left there.
chmodSync("dist/cli.js", 0o755);
