import { definesPath, overlay } from '../../lib/config/merge';

describe('overlay (environment over defaults)', () => {
  const defaults = {
    app: { name: 'shop', port: 8080 },
    network: { azCount: 2, publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'] },
    tags: { owner: 'a', team: 'b' },
  };

  test('merges mappings key by key, recursively', () => {
    expect(overlay(defaults, { app: { port: 9090 } })).toEqual({ ...defaults, app: { name: 'shop', port: 9090 } });
  });

  test('arrays replace the default wholesale', () => {
    const merged = overlay(defaults, { network: { publicSubnets: ['10.0.9.0/24'] } }) as typeof defaults;
    expect(merged.network.publicSubnets).toEqual(['10.0.9.0/24']);
    expect(merged.network.azCount).toBe(2);
  });

  test('null removes a default key', () => {
    const merged = overlay(defaults, { tags: { team: null } }) as typeof defaults;
    expect(merged.tags).toEqual({ owner: 'a' });
  });

  test('inputs are not modified', () => {
    const before = JSON.stringify(defaults);
    overlay(defaults, { app: { port: 1 }, tags: { owner: null } });
    expect(JSON.stringify(defaults)).toBe(before);
  });

  test('definesPath follows mappings and stops at arrays', () => {
    expect(definesPath({ a: { b: 1 } }, ['a', 'b'])).toBe(true);
    expect(definesPath({ a: { b: 1 } }, ['a', 'c'])).toBe(false);
    expect(definesPath({ a: [1, 2] }, ['a', 5])).toBe(true);
    expect(definesPath({}, ['a'])).toBe(false);
  });
});
