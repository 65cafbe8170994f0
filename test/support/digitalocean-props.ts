// Valid props of the DigitalOcean constructs, shared by their tests: each test spreads them and changes the one prop
// it is about.
import type { DropletFleetProps } from '../../lib/digitalocean/droplet-fleet';
import type { LoadBalancerProps } from '../../lib/digitalocean/load-balancer';

/** A well-formed SSH key fingerprint (MD5, colon-separated). */
export const SSH_KEY_FINGERPRINT = '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa';

/** One droplet of the dev blue color. */
export const FLEET_PROPS: DropletFleetProps = {
  name: 'shop-dev-blue',
  count: 1,
  image: '158472931',
  size: 's-1vcpu-2gb',
  region: 'fra1',
  vpcId: 'vpc-123',
  sshKeyFingerprints: [SSH_KEY_FINGERPRINT],
  tags: ['shop-dev', 'shop-dev-blue'],
};

/** The dev live load balancer in front of the blue droplets. */
export const LOAD_BALANCER_PROPS: LoadBalancerProps = {
  name: 'shop-dev-live',
  region: 'fra1',
  vpcId: 'vpc-123',
  dropletTag: 'shop-dev-blue',
  appPort: 8080,
  healthCheckPath: '/health',
  certificateName: 'shop-dev',
};
