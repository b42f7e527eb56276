// Issue #13's reproductions, kept fixed: each hostile input ends in exit 2 with exactly one short
// line on stderr naming the flag or file (never a stack trace, a hang or an exit 3), and valid
// inputs that used to fail now plan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorLinesOf, runCli, unwrapped } from "./helpers/cli.js";
import { thousands, gib } from "../src/render/format.js";
import { parseSize, parseTokens } from "../src/units.js";

const MODELS = join(import.meta.dirname, "..", "src", "data", "models");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vram-plan-rel-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A checkout with Qwen2.5-7B's config.json, edited by `edit`. */
function checkout(name: string, edit: (c: Record<string, unknown>) => void = () => undefined): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  const c = JSON.parse(readFileSync(join(MODELS, "Qwen__Qwen2.5-7B-Instruct.json"), "utf8")) as Record<string, unknown>;
  edit(c);
  writeFileSync(join(path, "config.json"), JSON.stringify(c));
  return path;
}

async function badInput(argv: string[], mention: string | RegExp): Promise<string> {
  const result = await runCli(argv);
  expect(result.code, result.err).toBe(2);
  expect(result.err.endsWith("\n")).toBe(true);
  // One error (its detail indented under the first line, within 80 columns), read back as one line.
  errorLinesOf(result.err);
  const line = unwrapped(result.err.slice(0, -1));
  expect(line).not.toContain("\n");
  expect(line.length).toBeLessThan(400);
  if (typeof mention === "string") expect(line).toContain(mention);
  else expect(line).toMatch(mention);
  return line;
}

describe("numbers on the command line", () => {
  const nines = "9".repeat(400);
  it("a 400-digit --max-model-len is refused, not searched forever", async () => {
    const line = await badInput(["--model", "qwen2.5-7b", "--gpu", "h100", "--max-model-len", nines], "--max-model-len: expected a token count from 1 to 2147483648");
    expect(line).toContain("'9999999999999999999999999999999999999...'");
  });
  it("a 400-digit --gpu-memory is refused, not planned as Infinity", async () => {
    await badInput(["--model", "qwen2.5-7b", "--gpu-memory", nines], "--gpu-memory: expected a size above 0 up to 1 PiB");
  });
  it("2^53 + 1 bytes is refused, not rounded", async () => {
    await badInput(["--model", "qwen2.5-7b", "--gpu", "h100", "--kv-cache-memory", "9007199254740993"], "--kv-cache-memory");
    expect(parseSize("9007199254740993")).toBeNull();
    expect(parseSize("9007199254740991")).toBe(9007199254740991);
    expect(parseTokens("9007199254740993")).toBeNull();
  });
  it("-tp 2^53 − 1 and -pp 5000 are refused with the range", async () => {
    await badInput(["--model", "qwen2.5-7b", "--gpu", "h100", "-tp", "9007199254740991"], "--tensor-parallel-size: expected an integer from 1 to 4096");
    await badInput(["--model", "qwen2.5-7b", "--gpu", "h100", "-pp", "5000"], "--pipeline-parallel-size: expected an integer from 1 to 4096");
  });
  it("-pp 4096 plans in bounded time, one column per distinct stage", async () => {
    const result = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "-pp", "4096"]);
    expect(result.code).toBe(1); // 28 layers on 4096 stages: vLLM cannot start
    const header = result.out.split("\n")[3] ?? "";
    // stage 0, stages 1..27 (one layer each, but the first holds the embedding), empty stages, the last
    expect(header.split("│").length - 3).toBeLessThanOrEqual(6);
    expect(result.out).toContain("LAYERS_FEWER_THAN_PP");
  });
  it("a newline or 100 KB value is never echoed whole", async () => {
    const line = await badInput(["--model", "qwen2.5-7b", "--gpu", "h100", "--dtype", "auto", "--kv-cache-dtype", "auto", "--vllm-version", `0.1\n${"x".repeat(100_000)}`], "--vllm-version");
    expect(line.length).toBeLessThan(200);
  });
});

describe("rendering", () => {
  it("numbers above 1e21 keep their digits", () => {
    // 2^80 is exact in a double; String(2 ** 80) is "1.2089258196146292e+24".
    expect(thousands(2 ** 80)).toBe("1,208,925,819,614,629,174,706,176");
    expect(thousands(-1234567)).toBe("-1,234,567");
    expect(gib(2 ** 30 * 1e22)).not.toContain("e");
  });
});

describe("files", () => {
  it("a FIFO as config.json, as a check file, and /dev/zero are refused by stat, not read", () => {
    const path = join(dir, "fifo");
    mkdirSync(path, { recursive: true });
    execFileSync("mkfifo", [join(path, "config.json")]);
    execFileSync("mkfifo", [join(path, "deploy.yaml")]);
    return Promise.all([
      badInput(["--model", path, "--gpu", "h100"], "config.json: a FIFO (named pipe), not a regular file"),
      badInput(["check", join(path, "deploy.yaml"), "--gpu", "h100"], "deploy.yaml: a FIFO (named pipe), not a regular file"),
      badInput(["check", "/dev/zero", "--gpu", "h100"], "/dev/zero: a device, not a regular file"),
    ]);
  });
  it("a shard that is a directory is refused", async () => {
    const d = checkout("shard-dir");
    mkdirSync(join(d, "model.safetensors"));
    await badInput(["--model", d, "--gpu", "h100"], "model.safetensors: a directory, not a regular file");
  });
  it("a symlinked shard reaching outside the checkout is refused before a byte is read", async () => {
    const dir = checkout("leak");
    symlinkSync("/etc/passwd", join(dir, "model.safetensors"));
    const line = await badInput(["--model", dir, "--gpu", "h100"], "a symbolic link to a file outside the checkout");
    expect(line).not.toContain("header length");
  });
  it("an index entry through a symlinked folder is refused", async () => {
    const dir = checkout("leak-dir");
    symlinkSync("/", join(dir, "sub"));
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ weight_map: { a: "sub/etc/passwd" } }));
    await badInput(["--model", dir, "--gpu", "h100"], "a symbolic link to a file outside the checkout");
  });
  it("JSON errors give a position, never the file's text", async () => {
    const dir = checkout("secret");
    writeFileSync(join(dir, "config.json"), "root:x:0:0:root:/root:/bin/bash\n");
    const line = await badInput(["--model", dir, "--gpu", "h100"], "config.json:1:1: not valid JSON (unexpected character, expected a value)");
    expect(line).not.toContain("root:x");
  });
  it("a YAML alias bomb is refused with its file and line", async () => {
    const path = join(dir, "bomb.yaml");
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    writeFileSync(path, levels.join("\n") + "\n");
    await badInput(["check", path, "--gpu", "h100"], /bomb\.yaml:1: YAML more than 1000 alias expansions/);
  });
  it("a YAML alias with no anchor before it is named as such, not as an alias bomb", async () => {
    const path = join(dir, "unanchored.yaml");
    writeFileSync(path, "services:\n  vllm:\n    command: *cmd\n");
    await badInput(["check", path, "--gpu", "h100"], /unanchored\.yaml:1: YAML alias with no anchor \(&name\) set before it/);
  });
});

describe("valid input that used to fail", () => {
  it("Qwen3-Next on vLLM 0.11-0.13 plans (prefix caching is disabled for Gated DeltaNet there)", async () => {
    for (const v of ["0.11.0", "0.12.0", "0.13.0"]) {
      const r = await runCli(["--model", "Qwen/Qwen3-Next-80B-A3B-Thinking", "--gpu", "h200", "-tp", "2", "--vllm-version", v, "--json"]);
      expect(r.err).toBe("");
      expect([0, 1]).toContain(r.code);
    }
  });
});

describe("check: deployment files", () => {
  const k8s = (gpus: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.11.0
          args: ["--model", "Qwen/Qwen2.5-7B-Instruct"]
          resources:
            limits:
              nvidia.com/gpu: ${gpus}
`;
  it("a negative or fractional nvidia.com/gpu is refused with its line", async () => {
    for (const [v, got] of [["-2", "-2"], ["1.5", "1.5"], ['"0.5"', "0.5"]] as const) {
      const f = join(dir, `k8s-${got}.yaml`);
      writeFileSync(f, k8s(v));
      await badInput(["check", f, "--gpu", "h100", "--offline"], `k8s-${got}.yaml:8: resources.limits.nvidia.com/gpu: expected a whole number of GPUs from 0 to 65536, got ${got}`);
    }
  });
  it("--gpu with a typo is refused even when the file names its GPU", async () => {
    const f = join(dir, "own.yaml");
    writeFileSync(f, "deployments:\n  - name: a\n    model: qwen2.5-7b\n    gpu: h100\n");
    await badInput(["check", f, "--gpu", "nope"], "--gpu nope: unknown GPU");
  });
  it("4@1.5K is refused in a file as on the command line (1.5K is not a whole number of 1024s, as vLLM reads it)", async () => {
    const path = join(dir, "own-k.yaml");
    writeFileSync(path, 'deployments:\n  - name: a\n    model: qwen2.5-7b\n    gpu: h100\n    require:\n      concurrency: "4@1.5K"\n');
    await badInput(["check", path], "own-k.yaml:6: deployments[0].require.concurrency");
    await badInput(["check", path, "--require-concurrency", "4@1.5K"], "--require-concurrency");
  });
  it("an unterminated quote in a shell script is refused as bash refuses it", async () => {
    const f = join(dir, "serve.sh");
    writeFileSync(f, 'vllm serve "Qwen/Qwen2.5-7B-Instruct --tensor-parallel-size 2\n');
    await badInput(["check", f, "--gpu", "h100"], "serve.sh:1: unterminated double quote (the quote opened on line 1 never closes)");
  });
});

describe("memory bounds", () => {
  it("a YAML file over 256 KiB is refused before the parser builds its tree (a dense 1 MiB list took 580 MB)", async () => {
    const f = join(dir, "dense.yaml");
    writeFileSync(f, `x: [${"1,".repeat(140_000)}1]\n`);
    await badInput(["check", f, "--gpu", "h100", "--offline"], "dense.yaml: YAML of 274 KiB is over the 256 KiB limit for a YAML file");
  });
  it("check plans at most 256 deployments in a run", async () => {
    const path = join(dir, "many.yaml");
    let s = "services:\n";
    for (let i = 0; i < 300; i++) s += `  s${i}:\n    image: vllm/vllm-openai:v0.11.0\n    command: --model Qwen/Qwen2.5-7B-Instruct\n`;
    writeFileSync(path, s);
    await badInput(["check", path, "--gpu", "h100", "--offline"], "check: 300 vLLM deployments in the files given, over the limit of 256 a run checks; split them");
  });
});

describe("shell variable expansion is bounded", () => {
  it("doubling variables (v2=\"$v1 $v1\" …) are refused once they expand past 16 MiB, not built to gigabytes", async () => {
    let s = "a=aaaaaaaaaa\n";
    for (let i = 1; i < 40; i++) s += `v${i}="$${i === 1 ? "a" : `v${i - 1}`} $${i === 1 ? "a" : `v${i - 1}`}"\n`;
    s += "vllm serve m --served-model-name $v39\n";
    const path = join(dir, "double.sh");
    writeFileSync(path, s);
    await badInput(["check", path, "--gpu", "h100", "--offline"], "double.sh: shell variables expand to more than 16 MiB of text");
  });
});
