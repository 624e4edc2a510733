/**
 * Interface endpoints bill per endpoint, per AZ, per hour (a partial hour counts whole), plus data
 * processed; gateway endpoints are free. The estimate covers the hourly part only.
 */
export const HOURS_PER_MONTH = 730;

/** USD per endpoint-AZ-hour. Regions not listed use the us-east-1 price (the estimate says so). */
export const ENDPOINT_AZ_HOURLY_USD: Readonly<Record<string, number>> = {
  'us-east-1': 0.01,
  'us-east-2': 0.01,
  'us-west-1': 0.011,
  'us-west-2': 0.01,
  'ca-central-1': 0.011,
  'eu-west-1': 0.011,
  'eu-west-2': 0.011,
  'eu-west-3': 0.012,
  'eu-central-1': 0.012,
  'eu-north-1': 0.011,
  'ap-south-1': 0.011,
  'ap-southeast-1': 0.012,
  'ap-southeast-2': 0.012,
  'ap-northeast-1': 0.013,
  'ap-northeast-2': 0.012,
  'sa-east-1': 0.017,
};

export function hourlyPrice(region: string): { usd: number; known: boolean } {
  const usd = ENDPOINT_AZ_HOURLY_USD[region];
  return usd === undefined
    ? // Stryker disable next-line LogicalOperator,StringLiteral: us-east-1 is listed at 0.01, the same as the fallback
      { usd: ENDPOINT_AZ_HOURLY_USD['us-east-1'] ?? 0.01, known: false }
    : { usd, known: true };
}

export function monthlyCostUsd(region: string, endpointAzs: number): number {
  return Math.round(endpointAzs * hourlyPrice(region).usd * HOURS_PER_MONTH * 100) / 100;
}
