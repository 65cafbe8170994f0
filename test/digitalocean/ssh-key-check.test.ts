import { Aspects, Testing } from 'cdktf';
import { EscapeTemplateLiterals } from '../../lib/escape-template-literals';
import { SshKeyCheck } from '../../lib/digitalocean/ssh-key-check';

const KEY_A = '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa';
const KEY_B = '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff';

describe('SshKeyCheck', () => {
  // With the template escaping every EnvironmentStack applies: the expressions are tokens, so they stay expressions.
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      new SshKeyCheck(scope, 'ssh', { fingerprints: [KEY_A, KEY_B] });
      Aspects.of(scope).add(new EscapeTemplateLiterals());
    }),
  );
  const data = Object.values(json.data.digitalocean_ssh_keys)[0] as Record<string, any>;

  test('looks the keys up by fingerprint', () => {
    expect(data.filter).toEqual([{ key: 'fingerprint', values: [KEY_A, KEY_B] }]);
  });

  test('fails the plan, naming the missing fingerprints, unless every key is in the account', () => {
    const [post] = data.lifecycle.postcondition;
    expect(post.condition).toBe('${(length(self.ssh_keys) == 2)}');
    expect(post.error_message).toContain(
      'setsubtract(["3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa", "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"], self.ssh_keys[*].fingerprint)',
    );
    expect(post.error_message).toMatch(/^Not every SSH key fingerprint .* is in the DigitalOcean account/);
  });

  test('fails on no fingerprint (DigitalOcean would mail a root password)', () => {
    expect(() => Testing.synthScope((scope) => new SshKeyCheck(scope, 's', { fingerprints: [] }))).toThrow(
      /fingerprints is empty.*root password/,
    );
  });

  test('fails on a malformed fingerprint', () => {
    expect(() => Testing.synthScope((scope) => new SshKeyCheck(scope, 's', { fingerprints: ['SHA256:abc'] }))).toThrow(
      /SHA256:abc is not an MD5 fingerprint/,
    );
  });
});
