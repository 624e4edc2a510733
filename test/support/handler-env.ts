/**
 * Environment for invoking the real Lambda handlers in-process against the emulator: the SDK honours
 * AWS_ENDPOINT_URL, tracing is off. Set before the handler modules are imported (their cold start
 * reads it).
 */
export function useEmulatorForHandlers(endpoint: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_MAX_ATTEMPTS: '1',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_SERVICE_NAME: 'ecs-endpoint-remediator',
    UPDATE_OLD_AGENTS: 'false',
    ...extra,
  });
}
