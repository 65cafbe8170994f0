import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';
import { propsValidator, refuseProps } from '../construct-errors';

/** Props for {@link TlsCertificate}: either `certificateArn`, or `domainName` with `zoneId`. */
export interface TlsCertificateProps {
  /**
   * An existing ACM certificate in the load balancer's region; nothing is created.
   * @default - a certificate is requested for `domainName`
   */
  readonly certificateArn?: string;
  /**
   * Domain to request a certificate for (DNS-validated in `zoneId`).
   * @default - none; `certificateArn` must be given
   */
  readonly domainName?: string;
  /**
   * Route 53 hosted zone holding `domainName`; the validation records are written there.
   * @default - none; required with `domainName`
   */
  readonly zoneId?: string;
}

/**
 * The certificate of the HTTPS listeners: an existing ACM certificate by ARN, or one requested for a domain and
 * validated through DNS records in a Route 53 zone. {@link arn} resolves only once the certificate is issued, so
 * listeners that use it wait for validation.
 */
export class TlsCertificate extends Construct {
  /** ARN of the issued certificate (pass to listeners). */
  public readonly arn: string;
  /** The domain, when the certificate is requested here. */
  public readonly domainName?: string;
  /** The requested certificate, when not given by ARN. */
  public readonly certificate?: AcmCertificate;
  /** The DNS validation, when the certificate is requested here. */
  public readonly validation?: AcmCertificateValidation;

  constructor(scope: Construct, id: string, props: TlsCertificateProps) {
    super(scope, id);
    const hasArn = props.certificateArn !== undefined;
    const hasDomain = props.domainName !== undefined || props.zoneId !== undefined;
    const { check, fail } = propsValidator(this);
    if (hasArn === hasDomain) {
      fail(
        `give either certificateArn (an existing certificate) or domainName with zoneId (request one), not ${hasArn ? 'both' : 'neither'}. Fix: ${hasArn ? 'drop certificateArn or domainName/zoneId' : 'set certificateArn, or domainName and zoneId'}`,
      );
    }
    if (props.certificateArn !== undefined) {
      check(props.certificateArn, (arn) =>
        /^arn:aws[\w-]*:acm:[^:]+:\d{12}:certificate\/.+$/.test(arn)
          ? undefined
          : `certificateArn "${arn}" is not an ACM certificate ARN. Fix: give certificateArn as arn:aws:acm:<region>:<account>:certificate/<id>`,
      );
      this.arn = props.certificateArn;
      return;
    }
    if (!props.domainName || !props.zoneId) {
      refuseProps(
        this,
        `requesting a certificate needs both domainName and zoneId (got ${props.domainName ? 'no zoneId' : 'no domainName'}). Fix: set ${props.domainName ? 'zoneId' : 'domainName'}`,
      );
    }
    this.domainName = props.domainName;
    this.certificate = new AcmCertificate(this, 'certificate', {
      domainName: props.domainName,
      validationMethod: 'DNS',
      keyAlgorithm: 'EC_prime256v1',
      lifecycle: { createBeforeDestroy: true },
      tags: { Name: props.domainName },
    });
    const options = TerraformIterator.fromComplexList(this.certificate.domainValidationOptions, 'domain_name');
    const records = new Route53Record(this, 'validation-record', {
      forEach: options,
      allowOverwrite: true,
      zoneId: props.zoneId,
      name: options.getString('resource_record_name'),
      type: options.getString('resource_record_type'),
      records: [options.getString('resource_record_value')],
      ttl: 60,
    });
    this.validation = new AcmCertificateValidation(this, 'validation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(records).pluckProperty('fqdn')),
    });
    this.arn = this.validation.certificateArn;
  }
}
