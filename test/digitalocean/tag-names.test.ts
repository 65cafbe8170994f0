import { colorTagName, fleetTagName, toDoTags } from '../../lib/digitalocean/tag-names';

describe('DigitalOcean tag names', () => {
  test('fleet and color tags are <app>-<env>[-<color>]', () => {
    expect(fleetTagName('shop', 'dev')).toBe('shop-dev');
    expect(colorTagName('shop', 'dev', 'blue')).toBe('shop-dev-blue');
    expect(colorTagName('shop', 'dev', 'green')).toBe('shop-dev-green');
  });

  test('key/value tags become key:value with characters DigitalOcean refuses replaced, sorted, deduplicated', () => {
    expect(toDoTags({ owner: 'platform team', release: '1.5.0', 'cost/center': 'shop@eu', env: 'dev' })).toEqual([
      'cost-center:shop-eu',
      'env:dev',
      'owner:platform-team',
      'release:1-5-0',
    ]);
    expect(toDoTags({ a: 'x.y', 'a:x': 'y' })).toEqual(['a:x-y', 'a:x:y']);
  });

  test('tags are cut to 255 characters', () => {
    const [tag] = toDoTags({ k: 'v'.repeat(400) });
    expect(tag).toHaveLength(255);
    expect(tag.startsWith('k:vvv')).toBe(true);
  });
});
