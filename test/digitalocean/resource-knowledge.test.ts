// The replacement knowledge the diff uses for DigitalOcean resources, checked against provider 2.71.0
// (digitalocean/database/resource_database_cluster.go, digitalocean/droplet/resource_droplet.go).
import { diffSynth } from '../../lib/commands/diff';
import { replacementCauses } from '../../lib/commands/resource-knowledge';

/** A one-resource stack as the diff reads it. */
const stack = (type: string, config: Record<string, unknown>) => ({ resource: { [type]: { r: config } } });

describe('DigitalOcean replacement knowledge (provider 2.71.0)', () => {
  test('database cluster: name, private_network_uuid and project_id replace; region migrates in place', () => {
    expect(replacementCauses('digitalocean_database_cluster', ['name'])).toEqual(['name']);
    expect(replacementCauses('digitalocean_database_cluster', ['private_network_uuid'])).toEqual([
      'private_network_uuid',
    ]);
    expect(replacementCauses('digitalocean_database_cluster', ['project_id'])).toEqual(['project_id']);
    expect(replacementCauses('digitalocean_database_cluster', ['region'])).toEqual([]);
  });

  test('droplet: monitoring replaces either way; ipv6 replaces only from true to false', () => {
    expect(
      replacementCauses('digitalocean_droplet', ['monitoring'], { monitoring: false }, { monitoring: true }),
    ).toEqual(['monitoring']);
    expect(replacementCauses('digitalocean_droplet', ['ipv6'], { ipv6: true }, { ipv6: false })).toEqual(['ipv6']);
    expect(replacementCauses('digitalocean_droplet', ['ipv6'], { ipv6: true }, {})).toEqual(['ipv6']); // default false
    expect(replacementCauses('digitalocean_droplet', ['ipv6'], { ipv6: false }, { ipv6: true })).toEqual([]);
    expect(
      replacementCauses('digitalocean_droplet', ['size'], { size: 's-1vcpu-1gb' }, { size: 's-2vcpu-2gb' }),
    ).toEqual([]);
  });

  test('the diff reports a droplet whose ipv6 goes from true to false as a replacement, and a region move of the log store as an update', () => {
    const droplet = diffSynth(
      new Map([['dev-blue', stack('digitalocean_droplet', { image: '1', ipv6: true })]]),
      new Map([['dev-blue', stack('digitalocean_droplet', { image: '1', ipv6: false })]]),
    );
    expect(droplet.stacks[0].resources[0]).toMatchObject({ action: 'replace', replacedBecause: ['ipv6'] });
    const cluster = diffSynth(
      new Map([['dev-shared', stack('digitalocean_database_cluster', { name: 'a', region: 'fra1' })]]),
      new Map([['dev-shared', stack('digitalocean_database_cluster', { name: 'a', region: 'ams3' })]]),
    );
    expect(cluster.stacks[0].resources[0]).toMatchObject({ action: 'update', replacedBecause: [] });
  });
});
