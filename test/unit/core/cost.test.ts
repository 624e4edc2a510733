/** Interface endpoints bill per endpoint-AZ-hour (AWS PrivateLink pricing page); gateway endpoints are free. */
import {
  ENDPOINT_AZ_HOURLY_USD,
  HOURS_PER_MONTH,
  hourlyPrice,
  monthlyCostUsd,
} from '../../../shared/core/cost.js';

describe('cost', () => {
  it('prices a known region as known', () => {
    expect(hourlyPrice('eu-central-1')).toEqual({ usd: 0.012, known: true });
    expect(hourlyPrice('us-east-1')).toEqual({ usd: 0.01, known: true });
  });

  it('falls back to the us-east-1 price for a region it does not list, and says so', () => {
    expect(hourlyPrice('xx-nowhere-9')).toEqual({ usd: 0.01, known: false });
  });

  it.each([
    ['us-east-1', 0, 0],
    ['us-east-1', 1, 7.3],
    ['us-east-1', 30, 219],
    ['sa-east-1', 3, 37.23], // 3 × 0.017 × 730
    ['ap-northeast-1', 1, 9.49],
    ['eu-west-1', 7, 56.21], // 7 × 0.011 × 730 = 56.21
    ['xx-nowhere-9', 2, 14.6],
  ])('monthlyCostUsd(%s, %d AZ-endpoints) is %d', (region, azs, expected) => {
    expect({ region, azs, usd: monthlyCostUsd(region, azs) }).toEqual({ region, azs, usd: expected });
  });

  it('rounds to cents', () => {
    // 0.011 × 730 × 3 = 24.09 exactly in decimal, 24.089999… in binary floating point.
    expect(monthlyCostUsd('us-west-1', 3)).toBe(24.09);
    expect(HOURS_PER_MONTH).toBe(730);
    expect(Object.keys(ENDPOINT_AZ_HOURLY_USD)).toHaveLength(16);
  });
});
