// Test support shared by the packages' tests: the error a call throws, as a value to assert on.
import { inspect } from 'node:util';

/** The error `run` throws or rejects with; fails the test if there is none. */
export async function errorOf(run: () => unknown): Promise<unknown> {
  let value: unknown;
  try {
    value = await run();
  } catch (error) {
    return error;
  }
  throw new Error(`expected the call to fail, and it returned ${inspect(value, { depth: 2 })}`);
}
