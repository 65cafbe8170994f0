// The droplets' user data, as synthesized into dev-blue and dev-green, checked by the real cloud-init and rsyslog.
import { parse } from 'yaml';
import { resources, synthEnvironments } from '../support/synth';
import { cloudInitSchema, rsyslogCheck } from '../support/agent-checks';

describe('DigitalOcean droplets: user data passes the real checks', () => {
  const stacks = synthEnvironments(undefined, ['dev']);
  const userData = (color: string): string => {
    const [droplet] = resources(stacks.get(`dev-${color}`)!, 'digitalocean_droplet') as Array<{ user_data: string }>;
    return droplet.user_data;
  };

  test.each(['blue', 'green'])('dev-%s: cloud-init schema --config-file accepts it', async (color) => {
    const result = await cloudInitSchema(userData(color));
    expect(result.output).toContain('Valid cloud-config');
    expect(result.ok).toBe(true);
  });

  test.each(['blue', 'green'])('dev-%s: the rsyslog.conf it writes passes rsyslogd -N1', async (color) => {
    const doc = parse(userData(color)) as { write_files: Array<{ path: string; content: string }> };
    const conf = doc.write_files.find((f) => f.path === '/etc/rsyslog.conf');
    expect(conf?.content).toContain(`"${color}"`);
    expect(conf?.content).toMatch(/binary="\/usr\/bin\/python3 \S+ 25060 /); // DigitalOcean managed OpenSearch's port
    const result = await rsyslogCheck(conf!.content);
    expect(result.output).not.toMatch(/error/i);
    expect(result.ok).toBe(true);
  });

  test('fails the schema check on a broken copy (the check is real)', async () => {
    const result = await cloudInitSchema(userData('blue').replace('runcmd:', 'package_update: [1]\nruncmd:'));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/package_update/);
  });
});
