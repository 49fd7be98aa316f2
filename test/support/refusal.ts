import { ValidationError } from '../../src/shared/errors.js';

/** The field messages of a form a parser refuses; fails the test when the form is accepted or refused otherwise. */
export function fieldErrorsOf(parse: () => unknown): Record<string, string> {
  try {
    parse();
  } catch (err) {
    if (err instanceof ValidationError) return err.fieldErrors;
    throw err;
  }
  throw new Error('expected the form to be refused');
}
