// `npm run fuzz`: the fuzz suite and the core's properties, longer and with a random seed.
// FC_SEED=<n> reruns one seed; FC_RUNS_SCALE=<k> multiplies every property's run count (default 20).
// Prints the seed first and again on failure, so any failure can be replayed exactly.
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";

const seed = process.env.FC_SEED ?? String(randomInt(2 ** 31 - 1));
const scale = process.env.FC_RUNS_SCALE ?? "20";
console.log(`vram-plan fuzz: seed ${seed}, runs ×${scale}`);
const r = spawnSync("npx", ["vitest", "run", "test/fuzz.test.ts", "test/properties.test.ts"], {
  stdio: "inherit",
  env: { ...process.env, FC_SEED: seed, FC_RUNS_SCALE: scale },
});
if (r.status !== 0) {
  console.error(`vram-plan fuzz: FAILED with seed ${seed} — rerun with: FC_SEED=${seed} FC_RUNS_SCALE=${scale} npm run fuzz`);
  process.exit(r.status ?? 1);
}
console.log(`vram-plan fuzz: passed (seed ${seed})`);
