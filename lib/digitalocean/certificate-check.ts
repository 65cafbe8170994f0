import { DataDigitaloceanCertificate } from '@cdktf/provider-digitalocean/lib/data-digitalocean-certificate';
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
 * The HCL condition "every host in `hosts` is one of `domains` or matches a `*.` wildcard in it" (a wildcard covers one
 * label: `*.example.com` covers `a.example.com`, not `a.b.example.com` nor `example.com`).
 */
export function coversHostsCondition(domains: string, hosts: readonly string[]): string {
  const list = JSON.stringify(hosts);
  const parent = 'join(".", slice(split(".", h), 1, length(split(".", h))))';
  return `alltrue([for h in ${list} : anytrue([for d in ${domains} : d == h || (startswith(d, "*.") && ${parent} == trimprefix(d, "*."))])])`;
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
    const conditions = [
      {
        condition: '${self.state == "verified"}',
        error_message: `The DigitalOcean certificate "${props.certificateName}" (digitalocean.certificate.name) is \${self.state}, not verified: wait for Let's Encrypt to issue it, or upload a valid one`,
      },
    ];
    if (hosts.length > 0) {
      conditions.push({
        condition: `\${${coversHostsCondition('self.domains', hosts)}}`,
        error_message: `The DigitalOcean certificate "${props.certificateName}" covers \${join(", ", self.domains)}, not every one of ${hosts.join(', ')} (digitalocean.liveHostname / previewHostname)`,
      });
    }
    this.certificate.addOverride('lifecycle.postcondition', conditions);
  }
}
