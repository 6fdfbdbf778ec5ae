/** A problem with what the operator gave the harness: one sentence, exit code 2 (never a stack trace). */
export class HarnessInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarnessInputError';
  }
}
