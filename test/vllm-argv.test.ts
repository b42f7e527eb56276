import { describe, expect, it } from "vitest";
import { InputError } from "../src/errors.js";
import {
  containerRunIndex,
  containerRunOptions,
  expandShellVariables,
  expansionFields,
  extractVllmArgs,
  isVllmOpenAiImage,
  locateVllmInvocation,
  parseVllmArgs,
  splitShellCommands,
  splitShellWords,
  VllmArgError,
  vllmArgvOfCommand,
} from "../src/sources/vllm-argv.js";
import { readDeploymentFile } from "../src/sources/deployments.js";

describe("splitShellWords", () => {
  it("handles quotes, escapes and continuations", () => {
    expect(splitShellWords(`vllm serve "my model" --a 'b c' d\\ e \\\n  --x=1`)).toEqual([
      "vllm",
      "serve",
      "my model",
      "--a",
      "b c",
      "d e",
      "--x=1",
    ]);
  });

  it("keeps JSON in single quotes and escaped double quotes", () => {
    expect(splitShellWords(`--limit-mm-per-prompt '{"image":1}' --hf-overrides "{\\"a\\": 1}"`)).toEqual([
      "--limit-mm-per-prompt",
      '{"image":1}',
      "--hf-overrides",
      '{"a": 1}',
    ]);
  });

  it("leaves variables and command substitutions verbatim", () => {
    expect(splitShellWords(`vllm serve $MODEL --port "\${PORT:-8000}" --x $(echo a b) --y \`id -u\``)).toEqual([
      "vllm",
      "serve",
      "$MODEL",
      "--port",
      "${PORT:-8000}",
      "--x",
      "$(echo a b)",
      "--y",
      "`id -u`",
    ]);
  });

  it("drops comments but keeps # inside words and quotes", () => {
    expect(splitShellWords("a b#c '#d' # comment here\n")).toEqual(["a", "b#c", "#d"]);
  });

  it("returns control operators as words and drops redirections", () => {
    expect(splitShellWords("cd /srv && vllm serve m > log.txt 2>&1 & echo hi; true")).toEqual([
      "cd",
      "/srv",
      "&&",
      "vllm",
      "serve",
      "m",
      "&",
      "echo",
      "hi",
      ";",
      "true",
    ]);
  });

  it("keeps empty quoted words", () => {
    expect(splitShellWords(`a "" ''`)).toEqual(["a", "", ""]);
  });
});

describe("splitShellCommands", () => {
  it("reports the line each command starts on", () => {
    const cmds = splitShellCommands("# c\nexport A=1\n\nvllm serve m \\\n  --tp 2\necho done\n");
    expect(cmds.map((c) => [c.line, c.words])).toEqual([
      [2, ["export", "A=1"]],
      [4, ["vllm", "serve", "m", "--tp", "2"]],
      [6, ["echo", "done"]],
    ]);
    expect(cmds[1]!.lines).toEqual([4, 4, 4, 5, 5]);
  });
});

describe("extractVllmArgs", () => {
  it("vllm serve MODEL flags", () => {
    expect(extractVllmArgs(splitShellWords("vllm serve Qwen/Qwen3-8B --tensor-parallel-size 2 --enforce-eager"))).toEqual({
      model: "Qwen/Qwen3-8B",
      args: ["--tensor-parallel-size", "2", "--enforce-eager"],
    });
  });

  it("finds the positional model after flags", () => {
    expect(extractVllmArgs(["vllm", "serve", "--port", "8000", "--enforce-eager", "org/m", "--dtype", "half"])).toEqual({
      model: "org/m",
      args: ["--port", "8000", "--enforce-eager", "--dtype", "half"],
    });
  });

  it("python -m vllm.entrypoints.openai.api_server with env prefix and a path to vllm", () => {
    const words = splitShellWords("CUDA_VISIBLE_DEVICES=0 python3 -u -m vllm.entrypoints.openai.api_server --model org/m -tp 1");
    expect(extractVllmArgs(words)).toEqual({ model: "org/m", args: ["--model", "org/m", "-tp", "1"] });
    expect(extractVllmArgs(["python", "-m", "vllm.entrypoints.api_server", "--model=org/x"])).toEqual({
      model: "org/x",
      args: ["--model=org/x"],
    });
    expect(extractVllmArgs(["/opt/venv/bin/vllm", "serve", "m"])).toEqual({ model: "m", args: [] });
  });

  it("bare flags with --model (the image's entrypoint)", () => {
    expect(extractVllmArgs(["--model", "org/m", "--max-model-len", "4096"])).toEqual({
      model: "org/m",
      args: ["--model", "org/m", "--max-model-len", "4096"],
    });
    expect(extractVllmArgs(["--port", "8000"])).toBeNull();
    expect(extractVllmArgs(["org/m", "--port", "8000"], { entrypointIsVllm: true })).toEqual({
      model: "org/m",
      args: ["--port", "8000"],
    });
  });

  it("docker run of the vLLM image", () => {
    const words = splitShellWords(
      "docker run --runtime nvidia --gpus all -p 8000:8000 --ipc=host vllm/vllm-openai:v0.10.1 --model org/m --max-model-len 8192",
    );
    expect(extractVllmArgs(words)).toEqual({ model: "org/m", args: ["--model", "org/m", "--max-model-len", "8192"] });
  });

  it("unwraps sh -c and stops at control operators", () => {
    expect(extractVllmArgs(["/bin/sh", "-c", "pip install x && vllm serve m --tp 2 | tee log"])).toEqual({
      model: "m",
      args: ["--tp", "2"],
    });
    expect(extractVllmArgs(splitShellWords("vllm serve m --port 1 && echo vllm serve x"))).toEqual({ model: "m", args: ["--port", "1"] });
  });

  it("returns null when there is no vLLM server", () => {
    expect(extractVllmArgs(splitShellWords("pip install vllm && python app.py"))).toBeNull();
    expect(extractVllmArgs(["echo", "vllm", "serve", "m"])).toBeNull();
    expect(extractVllmArgs(["vllm", "bench", "serve"])).toBeNull();
    expect(extractVllmArgs([])).toBeNull();
  });

  it("vllm serve without a model (from --config)", () => {
    expect(extractVllmArgs(["vllm", "serve", "--config", "c.yaml"])).toEqual({ model: null, args: ["--config", "c.yaml"] });
  });
});

describe("parseVllmArgs", () => {
  it("maps long, snake, = and short forms to kebab-case keys", () => {
    expect(
      parseVllmArgs([
        "--tensor-parallel-size",
        "2",
        "--max_model_len=8192",
        "--gpu_memory_utilization",
        "0.9",
        "-pp",
        "2",
        "-tp=4",
        "-q",
        "fp8",
      ]),
    ).toEqual({
      "tensor-parallel-size": "4",
      "max-model-len": "8192",
      "gpu-memory-utilization": "0.9",
      "pipeline-parallel-size": "2",
      quantization: "fp8",
    });
  });

  it("booleans, negations and unknown flags", () => {
    expect(
      parseVllmArgs(["--enforce-eager", "--trust-remote-code", "--no-enable-prefix-caching", "--some-new-flag", "--enable-expert-parallel", "-ep"]),
    ).toEqual({
      "enforce-eager": true,
      "trust-remote-code": true,
      "enable-prefix-caching": "false",
      "some-new-flag": true,
      "enable-expert-parallel": true,
    });
  });

  it("JSON values, dotted keys, -O and nargs lists", () => {
    expect(
      parseVllmArgs([
        "--limit-mm-per-prompt",
        '{"image":1}',
        "--limit-mm-per-prompt.video",
        "0",
        "--compilation_config.cudagraph_mode",
        "FULL",
        "-O3",
        "--cuda-graph-sizes",
        "1",
        "2",
        "4",
        "--seed",
        "-1",
      ]),
    ).toEqual({
      "limit-mm-per-prompt": '{"image":1}',
      "limit-mm-per-prompt.video": "0",
      "compilation-config.cudagraph_mode": "FULL",
      "compilation-config": "3",
      "cuda-graph-sizes": "1 2 4",
      seed: "-1",
    });
  });

  it("throws for a value flag without a value", () => {
    expect(() => parseVllmArgs(["--max-model-len", "--enforce-eager"])).toThrow("--max-model-len needs a value");
    try {
      parseVllmArgs(["--port", "1", "-tp"]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(VllmArgError);
      expect(err).toBeInstanceOf(InputError);
      expect((err as VllmArgError).index).toBe(2);
      expect((err as VllmArgError).message).toBe("-tp needs a value");
    }
  });
});

describe("isVllmOpenAiImage", () => {
  it("recognizes the image with any registry, tag or digest", () => {
    expect(isVllmOpenAiImage("vllm/vllm-openai")).toBe(true);
    expect(isVllmOpenAiImage("vllm/vllm-openai:v0.10.1.1")).toBe(true);
    expect(isVllmOpenAiImage("docker.io/vllm/vllm-openai:latest")).toBe(true);
    expect(isVllmOpenAiImage("vllm/vllm-openai@sha256:abc123")).toBe(true);
    expect(isVllmOpenAiImage("vllm/vllm-openai-rocm:latest")).toBe(false);
    expect(isVllmOpenAiImage("ghcr.io/mistralai/vllm:latest")).toBe(false);
  });
});

describe("container runs (one reading for vllm/vllm-openai and other vLLM images)", () => {
  it("the container's environment is the run's -e / --env, not the docker client's prefix", () => {
    const inv = locateVllmInvocation(["DOCKER_HOST=ssh://gpu-box", "docker", "run", "-e", "CUDA_VISIBLE_DEVICES=0", "--gpus", "all", "vllm/vllm-openai", "--model", "Qwen/Qwen3-8B"]);
    expect([inv?.via, inv?.env, inv?.dockerGpus]).toEqual(["docker image", { CUDA_VISIBLE_DEVICES: "0" }, "all"]);
  });
  it("docker container run, nerdctl, --env=", () => {
    const a = locateVllmInvocation(["docker", "container", "run", "--env=HF_TOKEN=x", "--gpus=device=1", "vllm/vllm-openai:latest", "--model", "m"]);
    expect([a?.via, a?.env, a?.dockerGpus, a?.start]).toEqual(["docker image", { HF_TOKEN: "x" }, "device=1", 5]);
    expect(containerRunIndex(["sudo", "/usr/bin/nerdctl", "run", "img"])).toBe(2);
    expect(containerRunIndex(["docker", "compose", "run", "svc"])).toBe(-1);
    expect(containerRunOptions(["run", "-e", "A=1", "-v", "/a=b:/c", "--gpus", "2", "img"], 1, 7)).toEqual({ env: { A: "1" }, gpus: "2" });
  });
});

describe("a pasted docker run reads its image's release with check's rule (imageRelease, one function)", () => {
  it("vllm/vllm-openai:v0.10.1.1 is 0.10.1 in a pasted command as in a compose file (it was no release at all)", () => {
    const words = ["docker", "run", "--gpus", "all", "vllm/vllm-openai:v0.10.1.1", "--model", "Qwen/Qwen3-8B"];
    expect(vllmArgvOfCommand(words, {}, "--command").release).toBe("0.10.1");
    expect(vllmArgvOfCommand(["docker", "run", "vllm/vllm-openai:latest", "--model", "m"], {}, "--command").release).toBeNull();
  });
});

describe("expandShellVariables (a pasted command): the same expansion as deployment files", () => {
  it("${VAR:+word} and ${VAR+word}, which it left as written before", () => {
    expect(expandShellVariables("${REVISION:+--revision=$REVISION}", { REVISION: "v2" }, "--command")).toBe("--revision=v2");
    expect(expandShellVariables("${REVISION:+--revision=$REVISION}", {}, "--command")).toBe("");
    expect(expandShellVariables("${TP:-2}", { TP: "" }, "--command")).toBe("2");
  });
  it("an unset variable is an error naming it, also one named like an Object property", () => {
    expect(() => expandShellVariables("$constructor", {}, "--command")).toThrow("--command: $constructor is not set (set it, or write ${constructor:-default})");
  });
});

describe("line continuations (one rule: backslash + LF, or + CRLF in a file saved with Windows line ends)", () => {
  it("between words, inside a word and inside double quotes alike", () => {
    // Inside double quotes a CRLF continuation was kept as text ("a \\\r\nb").
    expect(splitShellWords('vllm serve m \\\r\n  --chat-template "a \\\r\nb" --max-model-\\\r\nlen 4096')).toEqual(["vllm", "serve", "m", "--chat-template", "a b", "--max-model-len", "4096"]);
  });
});

describe("expansionFields: one rule for a lone unquoted expansion, in deployment files and pasted commands", () => {
  it("splits it as the shell does, drops it when empty, keeps any other word whole", () => {
    // koyeb-extended-parameters.Dockerfile (fixtures/deployments/real) writes ${REVISION:+--revision "$REVISION"}.
    expect(expansionFields('${REVISION:+--revision "$REVISION"}', '--revision "v 2"')).toEqual(["--revision", "v 2"]);
    // A bare $VAR was split in neither reader before (deployments split only ${…}).
    expect(expansionFields("$EXTRA_ARGS", "--max-model-len 8192 --enforce-eager")).toEqual(["--max-model-len", "8192", "--enforce-eager"]);
    expect(expansionFields("$EMPTY", "")).toEqual([]);
    expect(expansionFields("--model=$M", "--model=a b")).toEqual(["--model=a b"]);
    expect(expansionFields("$UNSET", "$UNSET")).toEqual(["$UNSET"]);
    // Written in quotes ("$ARGS") the shell does not split it: one word, even empty.
    expect(expansionFields("$EXTRA_ARGS", "--max-model-len 8192 --enforce-eager", true)).toEqual(["--max-model-len 8192 --enforce-eager"]);
    expect(expansionFields("$EMPTY", "", true)).toEqual([""]);
  });

  it("a deployment script's quoted \"$ARGS\" stays one word, its unquoted $ARGS is split (as bash does)", () => {
    expect(splitShellCommands(`vllm serve m "$A" $B '$C' "\${D}" \${E:+--x "$E"}`)[0]?.quoted).toEqual([false, false, false, true, false, true, true, false]);
    // 62b869c split every lone expansion, the quoted one too: ARGS="--max-model-len 4096" passed as
    // "$ARGS" is one argument vLLM's argparse does not know (a word with a blank is no option), so
    // vLLM refuses it; at 423508f the file reader kept it whole, as now.
    const quoted = readDeploymentFile("serve.sh", 'ARGS="--max-model-len 4096"\nvllm serve Qwen/Qwen3-8B "$ARGS"\n').deployments[0];
    expect(quoted?.argv).toEqual(["--max-model-len 4096"]);
    const unquoted = readDeploymentFile("serve.sh", 'ARGS="--max-model-len 4096"\nvllm serve Qwen/Qwen3-8B $ARGS\n').deployments[0];
    expect([unquoted?.argv, unquoted?.args]).toEqual([["--max-model-len", "4096"], { "max-model-len": "4096" }]);
  });
});
