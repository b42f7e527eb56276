// Start-up of the bin as a whole process, against a bare `node -e ""` on the same machine at the same
// time: runs alternate (node, job, node, job, …) so load on a shared machine hits both alike, and the
// ratio of the medians is reported. Target (issue #17): each job ≤ 1.5 × bare node.
// Jobs: the main job (plan of the catalog's Qwen2.5-VL-7B on an A100), `check` of one compose file
// from fixtures/, and a plan from a local 100-shard checkpoint (test/bench/shards.ts).
// Run alone: `npm run bench:startup` (after `npm run build`); npm run bench runs it too.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildShardDir } from "./shards.js";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

export interface StartupJob {
  name: string;
  argv: string[];
}

export interface StartupResult {
  name: string;
  nodeMs: number;
  jobMs: number;
  ratio: number;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * The environment runs see: this one, or this one without NODE_EXTRA_CA_CERTS. Node 20 reads that file's
 * certificates when it starts, before any script (bare `node -e ""` on the bench machine: ≈500 M
 * instructions with /etc/ssl/certs/ca-certificates.crt, ≈85 M without), so where it is set, bare node
 * is twice as slow and every ratio looks better than on a machine without it; both are reported.
 */
function runEnv(withoutExtraCerts: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", HF_HUB_OFFLINE: "1" };
  if (withoutExtraCerts) delete env["NODE_EXTRA_CA_CERTS"];
  return env;
}

function timeMs(argv: readonly string[], env: NodeJS.ProcessEnv = runEnv(false)): { ms: number; status: number | null; stderr: string } {
  const start = process.hrtime.bigint();
  const ran = spawnSync(process.execPath, argv, { encoding: "utf8", env });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, status: ran.status, stderr: ran.stderr };
}

/** The bin as installed: package.json's "bin" (dist/cli.cjs), or VRAM_PLAN_BIN. */
function binPath(): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: Record<string, string> };
  return process.env["VRAM_PLAN_BIN"] ?? join(root, pkg.bin["vram-plan"] ?? "dist/cli.cjs");
}

/** Median whole-process wall time of each job and of bare node, runs alternating. */
export function measureStartup(jobs: readonly StartupJob[], runs = 21, withoutExtraCerts = false): StartupResult[] {
  const bin = binPath();
  const env = runEnv(withoutExtraCerts);
  return jobs.map((job) => {
    const nodeTimes: number[] = [];
    const jobTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      nodeTimes.push(timeMs(["-e", ""], env).ms);
      const ran = timeMs([bin, ...job.argv], env);
      if (ran.status !== 0 && ran.status !== 1) throw new Error(`bench: ${job.name} exited ${ran.status}: ${ran.stderr}`);
      jobTimes.push(ran.ms);
    }
    const nodeMs = median(nodeTimes);
    const jobMs = median(jobTimes);
    return { name: job.name, nodeMs, jobMs, ratio: jobMs / nodeMs };
  });
}

/**
 * Instructions executed (valgrind's callgrind, every thread), job against bare node: a second view
 * that machine load does not move, for a shared machine where wall-clock medians wander. Null when
 * valgrind is not installed.
 */
export function instructionRatio(argv: readonly string[], withoutExtraCerts = false): { node: number; job: number } | null {
  const count = (args: readonly string[]): number | null => {
    const ran = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", "--smc-check=all-non-file", process.execPath, ...args], {
      encoding: "utf8",
      env: runEnv(withoutExtraCerts),
    });
    const match = /Collected : (\d+)/.exec(ran.stderr ?? "");
    return match ? Number(match[1]) : null;
  };
  const node = count(["-e", ""]);
  const job = node === null ? null : count(argv);
  return node !== null && job !== null ? { node, job } : null;
}

/** The three jobs of issue #17, with the 100-shard checkout built in a temporary directory. */
export function startupLines(runs = 21, instructions = false): string[] {
  const dir = mkdtempSync(join(tmpdir(), "vram-plan-shards-"));
  try {
    buildShardDir(dir, 100);
    const jobs: StartupJob[] = [
      { name: "vram-plan --model qwen2.5-vl-7b --gpu a100-80g", argv: ["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"] },
      { name: "vram-plan check fixtures/ci/deploy/docker-compose.yaml --gpu l40s", argv: ["check", join(root, "fixtures", "ci", "deploy", "docker-compose.yaml"), "--gpu", "l40s", "--offline"] },
      { name: "vram-plan --model <100-shard checkout> --gpu h100", argv: ["--model", dir, "--gpu", "h100"] },
    ];
    const lines = measureStartup(jobs, runs).map(
      (r) => `Start-up, ${r.name}: ${r.jobMs.toFixed(1)} ms vs node -e "" ${r.nodeMs.toFixed(1)} ms (medians of ${runs} alternating runs) = ${r.ratio.toFixed(2)}x — target <= 1.5x`,
    );
    const certs = process.env["NODE_EXTRA_CA_CERTS"];
    if (certs !== undefined && certs !== "") {
      lines.push(`Start-up, NODE_EXTRA_CA_CERTS is set here (${certs}): node reads it before any script, so the same jobs again without it:`);
      for (const r of measureStartup(jobs, runs, true)) {
        lines.push(`Start-up without NODE_EXTRA_CA_CERTS, ${r.name}: ${r.jobMs.toFixed(1)} ms vs node -e "" ${r.nodeMs.toFixed(1)} ms = ${r.ratio.toFixed(2)}x — target <= 1.5x`);
      }
    }
    if (instructions) {
      const bin = binPath();
      for (const withoutExtraCerts of [false, true]) {
        for (const job of jobs) {
          const r = instructionRatio([bin, ...job.argv], withoutExtraCerts);
          const where = withoutExtraCerts ? " without NODE_EXTRA_CA_CERTS" : "";
          lines.push(r === null ? "Start-up instructions: valgrind not installed" : `Start-up instructions${where}, ${job.name}: ${(r.job / 1e6).toFixed(0)} M vs node -e "" ${(r.node / 1e6).toFixed(0)} M (callgrind) = ${(r.job / r.node).toFixed(2)}x`);
        }
      }
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.env["RUNS"] ?? 21);
  // STARTUP_INSTRUCTIONS=1: also the instruction counts under callgrind (about 15 s a job).
  for (const line of startupLines(runs, process.env["STARTUP_INSTRUCTIONS"] === "1")) console.log(line);
}
