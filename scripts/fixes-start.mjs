#!/usr/bin/env node
// Every fix printed, applied as a user would, makes the plan start (issue #12, "how it is judged").
// Plans each model × GPU × variant through the built CLI (dist/cli/run.js, in-process: the same argv
// reading, JSON and exit codes a user gets), takes every fix of every diagnostic from `--json`, applies it
// to the argv (replacing the flag when given, else appending it, companions too) and plans again: the
// exit code must be 0. Prints the pairs tried and each fix that does not start.
// solve's answers (its `vllm serve` line, pasted into plan) and compare's levers are planned the same way.
//   node scripts/fixes-start.mjs [--models a,b] [--gpus x,y] [--variants base,tp2,...] [--shard i/n] [--no-solve] [--no-compare]
import { run } from "../dist/cli/run.js";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

async function cli(argv) {
  let out = "";
  let err = "";
  const code = await run(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false, env: { ...process.env, HF_HUB_OFFLINE: "1", COLUMNS: "80" } });
  return { code, out, err };
}

const models = opt("--models")?.split(",") ?? JSON.parse((await cli(["models", "--json"])).out).map((m) => m.short);
const gpus = opt("--gpus")?.split(",") ?? JSON.parse((await cli(["gpus", "--json"])).out).filter((g) => !g.mig).map((g) => g.id);
const VARIANTS = {
  base: [],
  tp2: ["-tp", "2"],
  tp4: ["-tp", "4"],
  pp2: ["-pp", "2"],
  len32k: ["--max-model-len", "32768"],
  fp8kv: ["--kv-cache-dtype", "fp8"],
  util60: ["--gpu-memory-utilization", "0.6"],
  kvmem: ["--kv-cache-memory", "20GiB"],
  v010: ["--vllm-version", "0.10.1"],
  v020: ["--vllm-version", "0.20.0"],
  eager: ["--enforce-eager"],
  fp8: ["--quantization", "fp8"],
  seqs: ["--max-num-seqs", "512", "--max-num-batched-tokens", "8192"],
  len128k: ["--max-model-len", "131072"],
  dp2: ["-dp", "2"],
};
/** solve's targets: its answer, pasted into plan as the vllm serve line it prints, must start too. */
const SOLVES = { solve: [], solve32k: ["--context", "32k", "--concurrency", "8"] };
const variants = opt("--variants")?.split(",") ?? Object.keys(VARIANTS);
const [shard, shards] = (opt("--shard") ?? "0/1").split("/").map(Number);

/** argv with `flag value` set: the given occurrence replaced (its spelling or short form), else appended. */
const SHORT = { "--tensor-parallel-size": "-tp", "--pipeline-parallel-size": "-pp", "--data-parallel-size": "-dp" };
function withFlag(argv, flag, value) {
  const out = [...argv];
  const i = out.findIndex((a) => a === flag || a === SHORT[flag] || a.startsWith(`${flag}=`));
  const bare = value === undefined || value === "";
  if (i >= 0) {
    if (out[i].includes("=")) out.splice(i, 1, ...(bare ? [flag] : [flag, value]));
    else if (bare) out.splice(i, 1, flag);
    else out.splice(i, 2, flag, value);
  } else out.push(...(bare ? [flag] : [flag, value]));
  return out;
}

let pairs = 0;
let failing = 0;
let fixesTried = 0;
const bad = [];
const errors = [];
let n = 0;
for (const m of models) {
  for (const g of gpus) {
    for (const v of variants) {
      if (n++ % shards !== shard) continue;
      const argv = ["plan", "--model", m, "--gpu", g, ...VARIANTS[v], "--json"];
      const first = await cli(argv);
      pairs++;
      if (first.code === 2 || first.code === 3) {
        errors.push(`${argv.join(" ")} → exit ${first.code}: ${first.err.trim().split("\n")[0]}`);
        continue;
      }
      const plan = JSON.parse(first.out);
      if (first.code !== 0) failing++;
      for (const d of plan.diagnostics) {
        for (const fix of d.fix ?? []) {
          let again = argv;
          for (const c of [fix, ...(fix.with ?? [])]) again = withFlag(again, c.flag, c.value);
          fixesTried++;
          const r = await cli(again);
          if (r.code !== 0) {
            const why = r.code === 1 ? JSON.parse(r.out).diagnostics.filter((x) => x.severity === "error").map((x) => x.code).join(",") : r.err.trim().split("\n")[0];
            bad.push(`${d.code}: ${again.join(" ")} → exit ${r.code} ${why}`);
          }
        }
      }
    }
  }
}
let solved = 0;
if (!args.includes("--no-solve")) {
  for (const m of models) {
    for (const g of gpus) {
      for (const [name, extra] of Object.entries(SOLVES)) {
        if (n++ % shards !== shard) continue;
        const r = await cli(["solve", "--model", m, "--gpu", g, ...extra, "--json"]);
        if (r.code === 2 || r.code === 3) {
          errors.push(`solve --model ${m} --gpu ${g} ${extra.join(" ")} → exit ${r.code}: ${r.err.trim().split("\n")[0]}`);
          continue;
        }
        const answer = JSON.parse(r.out);
        if (!answer.found) continue;
        solved++;
        const again = await cli(["plan", "--gpu", g, "--json", "--", ...answer.argv]);
        if (again.code !== 0) {
          const why = again.code === 1 ? JSON.parse(again.out).diagnostics.filter((x) => x.severity === "error").map((x) => x.code).join(",") : again.err.trim().split("\n")[0];
          bad.push(`${name}: ${answer.command} on ${g} → exit ${again.code} ${why}`);
        }
      }
    }
  }
}
// compare's levers: the flags of its "Together" line (each on top of the ones above), applied to plan.
let compared = 0;
if (!args.includes("--no-compare")) {
  const vision = new Set(JSON.parse((await cli(["models", "--json"])).out).filter((m) => /Qwen[0-9.]*-VL/i.test(m.id)).map((m) => m.short));
  for (const m of models) {
    for (const g of gpus) {
      if (n++ % shards !== shard) continue;
      const workload = ["--prompt-tokens", "1024", "--new-tokens", "256", ...(vision.has(m) ? ["--image", "1792x1792"] : [])];
      const r = await cli(["compare", "--model", m, "--gpu", g, ...workload, "--json"]);
      if (r.code !== 0 && r.code !== 1) {
        errors.push(`compare --model ${m} --gpu ${g} → exit ${r.code}: ${r.err.trim().split("\n")[0]}`);
        continue;
      }
      const closest = JSON.parse(r.out).closest;
      if (!closest?.serves) continue;
      compared++;
      let argv = ["plan", "--model", m, "--gpu", g, "--json"];
      for (const f of closest.flags) argv = withFlag(argv, f.flag, f.value);
      const again = await cli(argv);
      if (again.code !== 0) {
        const why = again.code === 1 ? JSON.parse(again.out).diagnostics.filter((x) => x.severity === "error").map((x) => x.code).join(",") : again.err.trim().split("\n")[0];
        bad.push(`compare levers: ${argv.join(" ")} → exit ${again.code} ${why}`);
      }
    }
  }
}
for (const b of bad) console.log(`FIX DOES NOT START ${b}`);
for (const e of errors) console.log(`NOT PLANNED ${e}`);
console.log(`${pairs} deployments planned (${models.length} models × ${gpus.length} GPUs × ${variants.length} variants${shards > 1 ? `, shard ${shard}/${shards}` : ""}), ${failing} would not start, ${fixesTried} fixes applied, ${solved} solve answers planned, ${compared} compare lever sets planned, ${bad.length} did not start, ${errors.length} not planned (exit 2/3)`);
process.exitCode = bad.length > 0 ? 1 : 0;
