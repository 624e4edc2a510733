import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { resetEmulator } from '../support/emulator.js';

describe('emulator harness', () => {
  it('answers EC2 calls on this worker’s own loopback port', async () => {
    const endpoint = await resetEmulator();
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ec2 = new EC2Client({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({}));
    expect(Vpcs).toContainEqual(expect.objectContaining({ IsDefault: true }));
  });
});
