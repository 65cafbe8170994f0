import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';

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
    if (hasArn === hasDomain) {
      throw new Error(
        `TlsCertificate ${this.node.path}: give either certificateArn (an existing certificate) or domainName with zoneId (request one), not ${hasArn ? 'both' : 'neither'}`,
      );
    }
    if (props.certificateArn !== undefined) {
      if (
        !Token.isUnresolved(props.certificateArn) &&
        !/^arn:aws[\w-]*:acm:[^:]+:\d{12}:certificate\/.+$/.test(props.certificateArn)
      ) {
        throw new Error(`TlsCertificate ${this.node.path}: "${props.certificateArn}" is not an ACM certificate ARN`);
      }
      this.arn = props.certificateArn;
      return;
    }
    if (!props.domainName || !props.zoneId) {
      throw new Error(
        `TlsCertificate ${this.node.path}: requesting a certificate needs both domainName and zoneId (got ${props.domainName ? 'no zoneId' : 'no domainName'})`,
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
