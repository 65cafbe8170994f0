import {
  isKnownType,
  refusedChanges,
  replacementCauses,
  RESOURCE_KNOWLEDGE,
  STATEFUL_TYPES,
} from '../../lib/commands/resource-knowledge';
import { synthEnvironments } from '../support/synth';

describe('the replacement table covers what the stacks emit', () => {
  // Every shipped environment (both clouds), all four stacks each: the types the diff must know.
  const stacks = synthEnvironments();
  const emitted = new Set<string>();
  for (const tf of stacks.values()) for (const type of Object.keys(tf.resource ?? {})) emitted.add(type);

  test('the shipped environments emit AWS and DigitalOcean resources', () => {
    expect([...emitted].some((t) => t.startsWith('aws_'))).toBe(true);
    expect([...emitted].some((t) => t.startsWith('digitalocean_'))).toBe(true);
  });

  test('every resource type a shipped stack emits has an entry', () => {
    expect([...emitted].filter((t) => !isKnownType(t)).sort()).toEqual([]);
  });

  test('every stateful type has replacement arguments (a stateful entry without them would hide replacements)', () => {
    expect([...STATEFUL_TYPES].filter((t) => RESOURCE_KNOWLEDGE[t].replaceOn.length === 0)).toEqual([]);
  });
});

describe('replacement rules', () => {
  test('one-way rules: turning droplet IPv6 off replaces, turning it on does not', () => {
    expect(replacementCauses('digitalocean_droplet', ['ipv6'], { ipv6: true }, { ipv6: false })).toEqual(['ipv6']);
    expect(replacementCauses('digitalocean_droplet', ['ipv6'], { ipv6: false }, { ipv6: true })).toEqual([]);
  });

  test('adding VPC options to an OpenSearch domain replaces it; changing its subnets does not', () => {
    expect(
      replacementCauses('aws_opensearch_domain', ['vpc_options'], {}, { vpc_options: { subnet_ids: ['a'] } }),
    ).toEqual(['vpc_options']);
    expect(
      replacementCauses(
        'aws_opensearch_domain',
        ['vpc_options.subnet_ids[0]'],
        { vpc_options: { subnet_ids: ['a'] } },
        { vpc_options: { subnet_ids: ['b'] } },
      ),
    ).toEqual([]);
  });

  test('renaming a Spaces bucket is planned in place but refused', () => {
    expect(replacementCauses('digitalocean_spaces_bucket', ['name'])).toEqual([]);
    expect(refusedChanges('digitalocean_spaces_bucket', ['name'])).toEqual([
      { argument: 'name', why: 'a Spaces bucket cannot be renamed' },
    ]);
  });
});
