import { DropletFleet, DropletFleetProps } from '../../lib/digitalocean/droplet-fleet';
import { synthResources } from '../support/construct-synth';

const KEY = '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa';
const PROPS: DropletFleetProps = {
  name: 'shop-dev-blue',
  count: 3,
  image: '158472931',
  size: 's-1vcpu-2gb',
  region: 'fra1',
  vpcId: 'vpc-123',
  sshKeyFingerprints: [KEY],
  tags: ['shop-dev', 'shop-dev-blue', 'environment:dev'],
  userData: '#cloud-config\npackages: [rsyslog]\n',
  projectId: 'project-1',
};

const synth = (props: DropletFleetProps) => synthResources((scope) => new DropletFleet(scope, 'fleet', props));

describe('DropletFleet', () => {
  const res = synth(PROPS);
  const droplets = Object.entries(res.digitalocean_droplet as Record<string, Record<string, any>>).sort(([a], [b]) =>
    a.localeCompare(b),
  );

  test('count droplets, named <name>-<i>, with stable ids droplet-<i>', () => {
    expect(droplets.map(([, d]) => d.name)).toEqual(['shop-dev-blue-0', 'shop-dev-blue-1', 'shop-dev-blue-2']);
    expect(droplets.map(([id]) => id.replace(/_[0-9A-F]{8}$/, ''))).toEqual([
      'fleet_droplet-0',
      'fleet_droplet-1',
      'fleet_droplet-2',
    ]);
  });

  test('each from the release snapshot, in the VPC, monitoring on, SSH keys by fingerprint, the tags and user data', () => {
    for (const [, d] of droplets) {
      expect(d).toMatchObject({
        image: '158472931',
        size: 's-1vcpu-2gb',
        region: 'fra1',
        vpc_uuid: 'vpc-123',
        monitoring: true,
        ipv6: false,
        backups: false,
        graceful_shutdown: true,
        ssh_keys: [KEY],
        tags: ['shop-dev', 'shop-dev-blue', 'environment:dev'],
        user_data: '#cloud-config\npackages: [rsyslog]\n',
      });
    }
  });

  test('attached to the project', () => {
    const [attachment] = Object.values(res.digitalocean_project_resources) as Array<Record<string, any>>;
    expect(attachment.project).toBe('project-1');
    expect(attachment.resources).toHaveLength(3);
    expect(attachment.resources[0]).toMatch(/^\$\{digitalocean_droplet\.fleet_droplet-0_[0-9A-F]+\.urn\}$/);
  });

  test('zero droplets: nothing created, no empty project attachment', () => {
    const empty = synth({ ...PROPS, count: 0 });
    expect(empty.digitalocean_droplet).toBeUndefined();
    expect(empty.digitalocean_project_resources).toBeUndefined();
  });

  test('fails on a distribution slug instead of a snapshot id', () => {
    expect(() => synth({ ...PROPS, image: 'ubuntu-24-04-x64' })).toThrow(
      /image "ubuntu-24-04-x64" is not a snapshot id; distribution slugs change in place/,
    );
  });

  test('fails without an SSH key (DigitalOcean would set and mail a root password)', () => {
    expect(() => synth({ ...PROPS, sshKeyFingerprints: [] })).toThrow(
      /sshKeyFingerprints is empty; without a key DigitalOcean sets a root password and mails it/,
    );
  });

  test.each([-1, 1.5, 101])('fails on count %p', (count) => {
    expect(() => synth({ ...PROPS, count })).toThrow(`count must be a whole number from 0 to 100 (got ${count})`);
  });

  test('fails without tags', () => {
    expect(() => synth({ ...PROPS, tags: [] })).toThrow(
      /tags is empty; untagged droplets get no firewall and no load balancer traffic/,
    );
  });
});
