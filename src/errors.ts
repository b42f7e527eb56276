// The one error type for bad user input: the CLI prints `vram-plan: <message>` on one line, and the
// hint (what to do about it: the choices, a nearest name) indented under it, and exits 2.
// Anything else that escapes is a bug (stack trace, exit 3).
export class InputError extends Error {
  /** The flag or file the message is about (e.g. "--model", "./config.json"). */
  readonly subject: string;
  /** What to do about it, printed on the lines under the message (absent: the message says it all). */
  readonly hint: string | undefined;
  constructor(subject: string, message: string, hint?: string) {
    super(message);
    this.name = "InputError";
    this.subject = subject;
    this.hint = hint;
  }
}
