import { expect } from "vitest";
import { InputError } from "../../src/errors.js";

/** The InputError a promise rejects with (fails the test if it resolves or throws something else). */
export async function inputError(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected an InputError");
}
