// READMEs and docs: the `vllm serve` / `docker run` lines people keep in Markdown are in fenced code
// blocks (CommonMark "Fenced code blocks": ``` or ~~~, three or more, up to three spaces of indent,
// an info string naming the language). Prose around them is not shell: an apostrophe in "PyTorch's"
// would otherwise open a quote that never closes.

/** Info strings of blocks read as shell (an unlabeled block is read too: most READMEs leave it off). */
const SHELL_LANGUAGES = new Set(["", "sh", "bash", "shell", "zsh", "console", "shell-session", "shellsession", "terminal", "bash-session", "cmd"]);
/** Blocks that show a terminal session: their lines start with a prompt. */
const SESSION_LANGUAGES = new Set(["console", "shell-session", "shellsession", "terminal", "bash-session"]);

/**
 * The shell text of a Markdown file: the lines of its shell-like fenced code blocks, with every other
 * line left empty so that line numbers stay those of the file. In session blocks the `$ ` prompt is
 * dropped and lines without one (the program's output) are left out.
 */
export function markdownShellText(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let fence: { marker: string; shell: boolean; session: boolean } | null = null;
  for (const line of lines) {
    if (fence === null) {
      const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`{]*)/.exec(line);
      if (open) {
        const lang = (open[2] ?? "").toLowerCase();
        fence = { marker: open[1] ?? "```", shell: SHELL_LANGUAGES.has(lang), session: SESSION_LANGUAGES.has(lang) };
      }
      out.push("");
      continue;
    }
    const close = new RegExp(`^ {0,3}${fence.marker[0] === "`" ? "`" : "~"}{${fence.marker.length},}\\s*$`);
    if (close.test(line)) {
      fence = null;
      out.push("");
      continue;
    }
    if (!fence.shell) {
      out.push("");
      continue;
    }
    if (fence.session) {
      const prompt = /^\s*[$#] (.*)$/.exec(line);
      out.push(prompt ? (prompt[1] ?? "") : "");
    } else out.push(line.replace(/^\s*\$ /, ""));
  }
  return out.join("\n");
}
