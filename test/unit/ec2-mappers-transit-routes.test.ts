/** toRawRouteTable keeps the active peering and transit gateway routes central serving checks (serving.ts). */
import { toRawRouteTable } from '../../shared/aws/ec2-mappers.js';

describe('toRawRouteTable transit routes', () => {
  it('keeps active pcx-/tgw- routes with their destination, drops blackholes and other targets', () => {
    const raw = toRawRouteTable({
      RouteTableId: 'rtb-1',
      VpcId: 'vpc-1',
      Routes: [
        { DestinationCidrBlock: '10.0.0.0/8', TransitGatewayId: 'tgw-1', State: 'active' },
        { DestinationCidrBlock: '10.9.0.0/16', VpcPeeringConnectionId: 'pcx-1', State: 'active' },
        { DestinationCidrBlock: '10.8.0.0/16', VpcPeeringConnectionId: 'pcx-2', State: 'blackhole' },
        { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', State: 'active' },
        { DestinationCidrBlock: '10.1.0.0/16', GatewayId: 'local', State: 'active' },
      ],
    });
    expect(raw?.transitRoutes).toEqual([
      { destinationCidrBlock: '10.0.0.0/8', targetId: 'tgw-1' },
      { destinationCidrBlock: '10.9.0.0/16', targetId: 'pcx-1' },
    ]);
  });
});
