/**
 * Every user data in the synthesized stacks of every shipped environment (EC2 launch templates: base64;
 * droplets: plain text) passes the real `cloud-init schema`, and every rsyslog configuration it writes passes
 * the real `rsyslogd -N1`.
 */
import { parse } from 'yaml';
import { decodeUserData } from '../../lib/aws/color-fleet';
import { cloudInitSchema, rsyslogCheck } from '../support/agent-checks';
import { synthEnvironments, TfJson } from '../support/synth';

jest.setTimeout(60_000);

interface FoundUserData {
  readonly where: string;
  readonly text: string;
}

/** Every `user_data` / `user_data_base64` attribute of every resource, decoded. */
function userDataOf(stack: string, json: TfJson): FoundUserData[] {
  const found: FoundUserData[] = [];
  for (const [type, resources] of Object.entries(json.resource ?? {})) {
    for (const [id, resource] of Object.entries(resources)) {
      for (const key of ['user_data', 'user_data_base64']) {
        const value = resource[key];
        if (typeof value !== 'string') continue;
        const plain = value.startsWith('#') ? value : decodeUserData(value);
        found.push({ where: `${stack} ${type}.${id}.${key}`, text: plain });
      }
    }
  }
  return found;
}

describe('user data of every synthesized stack', () => {
  const stacks = synthEnvironments();
  const all = [...stacks].flatMap(([name, json]) => userDataOf(name, json));

  test('every color stack of every environment has user data, and it is a token-free literal', () => {
    const colorStacks = [...stacks.keys()].filter((n) => /-(blue|green)$/.test(n));
    expect(colorStacks.length).toBeGreaterThanOrEqual(6);
    for (const stack of colorStacks) expect(all.some((u) => u.where.startsWith(`${stack} `))).toBe(true);
    for (const u of all) {
      expect(u.text).not.toMatch(/\$\{|TfToken/);
      expect(u.text).not.toMatch(/LOG_STORE_PASSWORD=\S/);
    }
  });

  test('each names its own environment, color and release', () => {
    for (const u of all) {
      const [stack] = u.where.split(' ');
      const [env, color] = stack.split('-');
      expect(u.text).toContain(`environment=${env} color=${color} `);
    }
  });

  test('every one passes cloud-init schema', async () => {
    // Identical texts (droplets of one color) are checked once.
    const unique = [...new Map(all.map((u) => [u.text, u])).values()];
    expect(unique.length).toBeGreaterThanOrEqual(6);
    const results = await Promise.all(unique.map(async (u) => ({ u, r: await cloudInitSchema(u.text) })));
    const failed = results.filter(({ r }) => !r.ok).map(({ u, r }) => `${u.where}: ${r.output}`);
    expect(failed).toEqual([]);
  });

  test('every rsyslog.conf it writes passes rsyslogd -N1', async () => {
    const configs = all.map((u) => {
      const doc = parse(u.text) as { write_files?: Array<{ path: string; content: string }> };
      const conf = doc.write_files?.find((f) => f.path === '/etc/rsyslog.conf');
      expect(conf).toBeDefined();
      return { where: u.where, text: conf!.content };
    });
    const results = await Promise.all(configs.map(async (c) => ({ c, r: await rsyslogCheck(c.text) })));
    expect(results.filter(({ r }) => !r.ok).map(({ c, r }) => `${c.where}: ${r.output}`)).toEqual([]);
  });
});
