// The one error type for bad user input: the CLI prints `vram-plan: <message>` on one line and exits 2.
// Anything else that escapes is a bug (stack trace, exit 3).
export class InputError extends Error {
  /** The flag or file the message is about (e.g. "--model", "./config.json"). */
  readonly subject: string;
  constructor(subject: string, message: string) {
    super(message);
    this.name = "InputError";
    this.subject = subject;
  }
}
