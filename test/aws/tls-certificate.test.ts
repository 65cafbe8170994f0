import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { TerraformStack, Testing } from 'cdktf';
import { TlsCertificate, TlsCertificateProps } from '../../lib/aws/tls-certificate';
import { byId, synthJson } from '../support/aws-fixture';

const ARN = 'arn:aws:acm:eu-west-1:222222222222:certificate/0b7f6a2e-4c1d-4e8a-9f3b-5d2c1e0a9b87';

function build(props: TlsCertificateProps) {
  const stack = new TerraformStack(Testing.app(), 'test');
  const cert = new TlsCertificate(stack, 'certificate', props);
  return { stack, cert };
}

describe('TlsCertificate', () => {
  test('an existing certificate creates nothing and passes its ARN through', () => {
    const { stack, cert } = build({ certificateArn: ARN });
    expect(cert.arn).toBe(ARN);
    expect(synthJson(stack).resource ?? {}).toEqual({});
  });

  describe('requested for a domain', () => {
    const { stack, cert } = build({ domainName: 'shop.example.com', zoneId: 'Z0123456789ABCDEFGHIJ' });
    const synth = Testing.synth(stack);
    const json = synthJson(stack);

    test('asks ACM for a DNS-validated certificate', () => {
      expect(synth).toHaveResourceWithProperties(AcmCertificate, {
        domain_name: 'shop.example.com',
        validation_method: 'DNS',
      });
    });

    test('writes one validation record per domain into the zone', () => {
      const record = Object.values(byId(json, 'aws_route53_record'))[0];
      expect(record).toMatchObject({ zone_id: 'Z0123456789ABCDEFGHIJ', allow_overwrite: true, ttl: 60 });
      expect(String(record.for_each)).toMatch(/domain_validation_options/);
      expect(record.name).toBe('${each.value.resource_record_name}');
    });

    test('listeners get the ARN only once validation completes', () => {
      expect(synth).toHaveResourceWithProperties(AcmCertificateValidation, {
        validation_record_fqdns: expect.stringMatching(/aws_route53_record\.certificate_validation-record_.*fqdn/),
      });
      expect(synth).toHaveResourceWithProperties(AcmCertificateValidation, {
        certificate_arn: expect.stringMatching(/^\$\{aws_acm_certificate\.certificate_[0-9A-F]+\.arn\}$/),
      });
      expect(cert.arn).toMatch(/TOKEN/); // resolves to the validation's certificate_arn
      expect(cert.domainName).toBe('shop.example.com');
    });
  });

  test('fails on both an ARN and a domain', () => {
    expect(() => build({ certificateArn: ARN, domainName: 'shop.example.com', zoneId: 'Z0123' })).toThrow(
      /give either certificateArn .* or domainName with zoneId .*, not both/,
    );
  });

  test('fails on neither an ARN nor a domain', () => {
    expect(() => build({})).toThrow(/not neither/);
  });

  test('fails on a domain without a zone', () => {
    expect(() => build({ domainName: 'shop.example.com' })).toThrow(
      /needs both domainName and zoneId \(got no zoneId\)/,
    );
  });

  test('fails on an ARN that is not an ACM certificate', () => {
    expect(() => build({ certificateArn: 'arn:aws:iam::111111111111:server-certificate/shop' })).toThrow(
      /is not an ACM certificate ARN/,
    );
  });
});
