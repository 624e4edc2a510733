/** `--all-regions`: the Regions the account has enabled, from EC2 DescribeRegions on the emulator. */
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { readEnabledRegions } from '../../shared/aws/regions-reader.js';
import { resetEmulator } from '../support/emulator.js';

let ec2: EC2Client;

beforeEach(async () => {
  const endpoint = await resetEmulator();
  ec2 = new EC2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

describe('readEnabledRegions', () => {
  it('keeps Regions that need no opt-in and leaves out the ones not opted in', async () => {
    const { Regions = [] } = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    const notOptedIn = Regions.filter((r) => r.OptInStatus === 'not-opted-in').map((r) => r.RegionName);
    expect(notOptedIn.length).toBeGreaterThan(0); // the emulator lists opt-in Regions such as af-south-1

    const enabled = await readEnabledRegions(ec2);
    expect(enabled).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1', 'us-west-2']));
    for (const region of notOptedIn) expect(enabled).not.toContain(region);
    expect(enabled).toEqual([...enabled].sort());
  });
});
