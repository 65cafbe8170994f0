// Each cloud is a namespace of the root entry, so DigitalOcean constructs need no `Do` prefix; the 0.1 names stay as
// deprecated aliases of the same classes.
import * as root from '../../lib';
import * as doEntry from '../../lib/digitalocean';

describe('cloud namespaces and the 0.1 names', () => {
  test('the root exports each cloud as a namespace, with the same classes as the subpath entries', () => {
    expect(root.digitalocean.LoadBalancer).toBe(doEntry.LoadBalancer);
    expect(root.digitalocean.LogStore).not.toBe(root.aws.LogStore);
    expect(root.digitalocean.Network).not.toBe(root.aws.Network);
  });

  test('a name both clouds define is AWS at the root, as in 0.1', () => {
    expect(root.LogStore).toBe(root.aws.LogStore);
    expect(root.Network).toBe(root.aws.Network);
    expect(root.SharedLookup).toBe(root.aws.SharedLookup);
  });

  test('every 0.1 Do-prefixed name is an alias of the unprefixed class', () => {
    const pairs = [
      [root.DoHostRecord, doEntry.HostRecord],
      [root.DoLbIngressFirewall, doEntry.LbIngressFirewall],
      [root.DoLoadBalancer, doEntry.LoadBalancer],
      [root.DoLogStore, doEntry.LogStore],
      [root.DoLogStoreLookup, doEntry.LogStoreLookup],
      [root.DoNetwork, doEntry.Network],
      [root.DoProject, doEntry.Project],
      [root.DoSharedLookup, doEntry.SharedLookup],
    ];
    for (const [alias, current] of pairs) expect(alias).toBe(current);
  });
});
