// The installed bin (bundled to dist/cli.cjs by scripts/build-bin.mjs): loads the CLI's bundle
// (dist/bin/vram-plan.cjs) through the compile cache of the command asked for, and runs it.
import { join } from "node:path";
import { DEFAULT_CACHE_TAG, bundleLoader } from "./compile-cache.js";

interface CliBundle {
  main(): Promise<void>;
}

// A command name picks its cache (anything else, e.g. an option first, is the default command).
const first = process.argv[2] ?? "";
const tag = /^[a-z]+$/.test(first) ? first : DEFAULT_CACHE_TAG;
// __dirname is dist/: this file runs only as the CommonJS bundle dist/cli.cjs. run() inside main()
// turns every failure into an exit code, so nothing is left to catch here.
const cli = bundleLoader(tag).load(join(__dirname, "bin", "vram-plan.cjs")) as CliBundle;
void cli.main();
