import { Testing } from 'cdktf';
import { FleetTags } from '../../lib/digitalocean/fleet-tags';

describe('FleetTags', () => {
  const json = JSON.parse(Testing.synthScope((scope) => new FleetTags(scope, 'tags', { app: 'shop', env: 'dev' })));

  test('creates the fleet tag and one tag per color', () => {
    const names = (Object.values(json.resource.digitalocean_tag) as Array<{ name: string }>).map((t) => t.name).sort();
    expect(names).toEqual(['shop-dev', 'shop-dev-blue', 'shop-dev-green']);
  });

  test('stable construct ids: fleet, blue, green', () => {
    const ids = Object.keys(json.resource.digitalocean_tag).map((id) => id.replace(/_[0-9A-F]{8}$/, ''));
    expect(ids.sort()).toEqual(['tags_blue', 'tags_fleet', 'tags_green']);
  });
});
