// check on Markdown and on JSON that is not a vLLM config: READMEs keep their `vllm serve` lines in
// fenced code blocks; the prose around them is not shell.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, unwrapped } from "./helpers/cli.js";
import { markdownShellText } from "../src/sources/deployments/markdown.js";
import { readDeploymentFile } from "../src/sources/deployments.js";
import { readFileSync } from "node:fs";

describe("Markdown", () => {
  it("reads the shell blocks of a real README and nothing of its prose (fixtures/deployments/real/vllm-notes-readme.md)", () => {
    const file = "fixtures/deployments/real/vllm-notes-readme.md";
    const r = readDeploymentFile(file, readFileSync(file, "utf8"));
    expect(r.deployments.map((d) => [d.line, d.model])).toEqual([
      [45, "meta-llama/Llama-2-7b-hf"],
      [46, "meta-llama/Llama-2-70b-hf"],
    ]);
  });

  it("keeps line numbers, drops prompts and output of console blocks, skips YAML and Python blocks", () => {
    const md = ["# Serving", "", "PyTorch's allocator isn't the problem.", "```console", "$ vllm serve Qwen/Qwen3-8B --max-model-len 8192", "INFO ... started", "```", "```yaml", "model: x", "```", "```python", "print('hi')", "```"].join("\n");
    const text = markdownShellText(md).split("\n");
    expect(text[4]).toBe("vllm serve Qwen/Qwen3-8B --max-model-len 8192");
    expect(text.filter((l) => l !== "")).toEqual(["vllm serve Qwen/Qwen3-8B --max-model-len 8192"]);
    expect(text.length).toBe(13);
  });

  it("a README whose prose has apostrophes plans its command instead of failing the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-md-"));
    writeFileSync(join(dir, "README.md"), "# Deploy\n\nIt's one GPU; don't raise the utilization.\n\n```bash\nvllm serve Qwen/Qwen3-8B \\\n  --max-model-len 8192\n```\n");
    const result = await runCli(["check", join(dir, "README.md"), "--gpu", "h100", "--offline"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok +\S+README\.md:6 /m);
    expect(result.out).toContain("Qwen/Qwen3-8B");
  });
});

describe("JSON that is not a vLLM --config file", () => {
  it("is skipped when most of its keys are not vLLM's (a 'device' key alone does not make a config)", async () => {
    const r = await runCli(["check", "fixtures/nvidia-smi/torch_totals.json", "fixtures/deployments/real/vllm-notes-readme.md", "--gpu", "h100", "--offline"]);
    expect(r.out).toContain("note fixtures/nvidia-smi/torch_totals.json: skipped: no vLLM deployment");
  });
});

describe("a directory", () => {
  it("is searched for deployment files (hidden and dependency folders skipped)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-dir-"));
    mkdirSync(join(dir, "deploy"));
    mkdirSync(join(dir, "node_modules"));
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, "deploy", "serve.sh"), "vllm serve Qwen/Qwen3-8B --max-model-len 8192\n");
    writeFileSync(join(dir, "node_modules", "serve.sh"), "vllm serve Qwen/Qwen3-8B --max-model-len 8192\n");
    writeFileSync(join(dir, ".git", "serve.sh"), "vllm serve Qwen/Qwen3-8B --max-model-len 8192\n");
    writeFileSync(join(dir, "logo.png"), "not text");
    const result = await runCli(["check", dir, "--gpu", "h100", "--offline", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as { deployments?: Array<{ file: string }>; entries?: Array<{ file: string }> };
    const files = JSON.stringify(report);
    expect(files).toContain(join("deploy", "serve.sh"));
    expect(files).not.toContain("node_modules");
    expect(files).not.toContain(".git");
  });

  it("with no deployment file in it is one line, exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-empty-"));
    writeFileSync(join(dir, "logo.png"), "x");
    const result = await runCli(["check", dir, "--gpu", "h100"]);
    expect(result.code).toBe(2);
    expect(unwrapped(result.err)).toBe(`vram-plan: ${dir}: a directory with no deployment files (YAML, JSON, shell, Dockerfile, Makefile or Markdown) in it\n`);
  });
});
