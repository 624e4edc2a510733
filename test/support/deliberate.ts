/**
 * Marks requests a test sends invalid on purpose (bad-input tests), so the fidelity guard
 * (emulator/fidelity.py, run by jest's global teardown) counts them apart instead of failing the run
 * on them. The guard is about the requests the product sends; this marker is the one place a test
 * says "this one is wrong on purpose", with the reason, which the guard's report lists.
 *
 * Raw HTTP calls set the header themselves: `{ [DELIBERATE_HEADER]: 'why' }`.
 */
export const DELIBERATE_HEADER = 'x-emulator-deliberate';

interface HeaderMiddlewareHost {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { request: unknown }) => Promise<unknown>,
      ) => (args: { request: unknown }) => Promise<unknown>,
      options: { step: 'build'; name: string },
    ): void;
    remove(name: string): boolean;
  };
}

/** Every request `client` sends from now on carries the deliberate marker with `reason`. */
export function markDeliberate<C extends object>(client: C, reason: string): C {
  (client as unknown as HeaderMiddlewareHost).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[DELIBERATE_HEADER] = reason;
      return next(args);
    },
    { step: 'build', name: 'deliberatelyInvalid' },
  );
  return client;
}

/** Stops marking `client`'s requests: what it sends from now on is checked by the guard again. */
export function unmarkDeliberate<C extends object>(client: C): C {
  (client as unknown as HeaderMiddlewareHost).middlewareStack.remove('deliberatelyInvalid');
  return client;
}
