/**
 * The Regions enabled for the account, for `--all-regions` (issue #13 §2).
 *
 * EC2 `DescribeRegions` with `AllRegions: true` lists every Region with its `OptInStatus`
 * (`opt-in-not-required`, `opted-in` or `not-opted-in`); a Region is enabled when it is one of
 * the first two ("DescribeRegions", Amazon EC2 API reference; "Enable or disable AWS Regions in
 * your account", AWS Account Management guide). The filter is explicit rather than relying on
 * `AllRegions: false`, so an opt-in Region that is not enabled is never planned.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';

const ENABLED = new Set(['opt-in-not-required', 'opted-in']);

/** The enabled Regions' codes, sorted. */
export async function readEnabledRegions(ec2: EC2Client): Promise<string[]> {
  const { Regions = [] } = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
  return Regions.filter((region) => ENABLED.has(region.OptInStatus ?? ''))
    .flatMap((region) => (region.RegionName === undefined ? [] : [region.RegionName]))
    .sort();
}
