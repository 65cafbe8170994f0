import { DataDigitaloceanCertificate } from '@cdktf/provider-digitalocean/lib/data-digitalocean-certificate';
import { Fn, IResolvable, Op, TerraformSelf, Token } from 'cdktf';
import { Construct } from 'constructs';

/** Props for {@link CertificateCheck}. */
export interface CertificateCheckProps {
  /** Name of the DigitalOcean certificate the load balancers use. */
  readonly certificateName: string;
  /**
   * Host names the certificate must cover (exactly, or by a `*.` wildcard one label up).
   * @default - none checked
   */
  readonly hostnames?: readonly string[];
}

/**
 * The names a certificate may list to cover `host`: the host itself, or a `*.` wildcard one label up (a wildcard
 * covers one label: `*.example.com` covers `a.example.com`, not `a.b.example.com` nor `example.com`).
 */
export function hostCoverers(host: string): string[] {
  const labels = host.split('.');
  return labels.length > 1 ? [host, `*.${labels.slice(1).join('.')}`] : [host];
}

/**
 * The Terraform condition "every host in `hosts` is covered by one of `domains`" (see {@link hostCoverers}), as a
 * cdktf expression: `domains` is a list or a reference to one (e.g. the certificate's `self.domains`).
 */
export function coversHosts(domains: string[], hosts: readonly string[]): IResolvable {
  // `>= 1`, not `> 0`: cdktf renders a literal 0 operand of Op as `undefined`.
  return Fn.alltrue(hosts.map((h) => Op.gte(Fn.lengthOf(Fn.setintersection(domains, [hostCoverers(h)])), 1)));
}

/**
 * Looks the load balancers' certificate up by name at plan time, so a missing certificate stops `terraform plan`
 * (the data source finds no certificate) instead of the load balancer's apply, and a certificate that is not
 * issued yet, or that does not cover the host names, fails its postcondition with the names.
 */
export class CertificateCheck extends Construct {
  /** The lookup. */
  public readonly certificate: DataDigitaloceanCertificate;

  constructor(scope: Construct, id: string, props: CertificateCheckProps) {
    super(scope, id);
    const hosts = [...new Set(props.hostnames ?? [])];
    this.certificate = new DataDigitaloceanCertificate(this, 'certificate', { name: props.certificateName });
    // Expressions as cdktf tokens, not hand-written `${...}`: literal text in the JSON is escaped (see
    // escape-template-literals.ts), tokens stay interpolations.
    const state = TerraformSelf.getString('state');
    const domains = Token.asList(TerraformSelf.getAny('domains'));
    const conditions: Array<{ condition: IResolvable; error_message: string }> = [
      {
        condition: Op.eq(state, 'verified'),
        error_message: `The DigitalOcean certificate "${props.certificateName}" (digitalocean.certificate.name) is ${state}, not verified: wait for Let's Encrypt to issue it, or upload a valid one`,
      },
    ];
    if (hosts.length > 0) {
      conditions.push({
        condition: coversHosts(domains, hosts),
        error_message: `The DigitalOcean certificate "${props.certificateName}" covers ${Fn.join(', ', domains)}, not every one of ${hosts.join(', ')} (digitalocean.liveHostname / previewHostname)`,
      });
    }
    this.certificate.addOverride('lifecycle.postcondition', conditions);
  }
}
