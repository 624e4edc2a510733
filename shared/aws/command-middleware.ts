/**
 * Wraps every command a set of SDK v3 clients sends, at the `initialize` step (once per command:
 * a paginator's pages are separate commands, the SDK's retries of one command are not), and names
 * each by its operation ("DescribeVpcs"). The call counter and the benchmark's latency meter use it.
 */

/** The part of a client this needs: each SDK v3 client has it. */
interface MiddlewareHost {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** `around(operation, send)` runs instead of each command; it must call `send` once. */
export function aroundEveryCommand(
  client: unknown,
  name: string,
  around: (operation: string, send: () => Promise<unknown>) => Promise<unknown>,
): void {
  (client as MiddlewareHost).middlewareStack.add(
    (next, context) => (args) =>
      around((context.commandName ?? 'Unknown').replace(/Command$/, ''), () => next(args)),
    { step: 'initialize', name },
  );
}
