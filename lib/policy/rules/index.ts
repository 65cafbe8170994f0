/** Every guardrail rule, one per file. */
import { alarmNotifies } from './alarm-notifies';
import { albAccessLogs } from './alb-access-logs';
import { albDeletionProtection } from './alb-deletion-protection';
import { albDropInvalidHeaders } from './alb-drop-invalid-headers';
import { albHttpsListener } from './alb-https-listener';
import { albTlsPolicy } from './alb-tls-policy';
import { doFirewallNoPublicSsh } from './do-firewall-no-public-ssh';
import { ecrImmutableTags } from './ecr-immutable-tags';
import { ecrScanOnPush } from './ecr-scan-on-push';
import { kmsKeyRotation } from './kms-key-rotation';
import { launchTemplateEncryptedVolumes } from './launch-template-encrypted-volumes';
import { launchTemplateImdsv2 } from './launch-template-imdsv2';
import { logGroupKms } from './log-group-kms';
import { logGroupRetention } from './log-group-retention';
import { objectLockKeyGuarded } from './object-lock-key-guarded';
import { openSearchEncryptionAtRest } from './opensearch-encryption-at-rest';
import { openSearchHttps } from './opensearch-https';
import { openSearchInVpc } from './opensearch-in-vpc';
import { openSearchNodeToNode } from './opensearch-node-to-node';
import { s3AccessLogging } from './s3-access-logging';
import { s3ArchiveObjectLock } from './s3-archive-object-lock';
import { s3KmsEncryption } from './s3-kms-encryption';
import { s3PublicAccessBlock } from './s3-public-access-block';
import { s3TlsOnly } from './s3-tls-only';
import { s3Versioning } from './s3-versioning';
import { servicePrincipalSource } from './service-principal-source';
import { sgNoPublicAdminPorts } from './sg-no-public-admin-ports';
import { sgNoPublicAllPorts } from './sg-no-public-all-ports';
import { sgPublicWebPortsOnly } from './sg-public-web-ports-only';
import { statefulPreventDestroy } from './stateful-prevent-destroy';
import { uniquePhysicalNames } from './unique-physical-names';
import { vpnStrongCrypto } from './vpn-strong-crypto';
import { PolicyRule } from '../rule';

export * from './alarm-notifies';
export * from './alb-access-logs';
export * from './alb-deletion-protection';
export * from './alb-drop-invalid-headers';
export * from './alb-https-listener';
export * from './alb-tls-policy';
export * from './do-firewall-no-public-ssh';
export * from './ecr-immutable-tags';
export * from './ecr-scan-on-push';
export * from './kms-key-rotation';
export * from './launch-template-encrypted-volumes';
export * from './launch-template-imdsv2';
export * from './log-group-kms';
export * from './log-group-retention';
export * from './object-lock-key-guarded';
export * from './opensearch-encryption-at-rest';
export * from './opensearch-https';
export * from './opensearch-in-vpc';
export * from './opensearch-node-to-node';
export * from './s3-access-logging';
export * from './s3-archive-object-lock';
export * from './s3-kms-encryption';
export * from './s3-public-access-block';
export * from './s3-tls-only';
export * from './s3-versioning';
export * from './service-principal-source';
export * from './sg-no-public-admin-ports';
export * from './sg-no-public-all-ports';
export * from './sg-public-web-ports-only';
export * from './stateful-prevent-destroy';
export * from './unique-physical-names';
export * from './vpn-strong-crypto';

/** All rules of the default pack, in report order. */
export const ALL_RULES: readonly PolicyRule[] = [
  alarmNotifies,
  albAccessLogs,
  albDeletionProtection,
  albDropInvalidHeaders,
  albHttpsListener,
  albTlsPolicy,
  doFirewallNoPublicSsh,
  ecrImmutableTags,
  ecrScanOnPush,
  kmsKeyRotation,
  launchTemplateEncryptedVolumes,
  launchTemplateImdsv2,
  logGroupKms,
  logGroupRetention,
  objectLockKeyGuarded,
  openSearchEncryptionAtRest,
  openSearchHttps,
  openSearchInVpc,
  openSearchNodeToNode,
  s3AccessLogging,
  s3ArchiveObjectLock,
  s3KmsEncryption,
  s3PublicAccessBlock,
  s3TlsOnly,
  s3Versioning,
  servicePrincipalSource,
  sgNoPublicAdminPorts,
  sgNoPublicAllPorts,
  sgPublicWebPortsOnly,
  statefulPreventDestroy,
  uniquePhysicalNames,
  vpnStrongCrypto,
];
