#!/usr/bin/env node
// The bin under tsx (`npm run dev`). The installed bin is dist/cli.cjs (src/cli/launch.ts), which loads
// the same main() from a bundle through a compile cache.
import { main } from "./cli/main.js";

await main();
