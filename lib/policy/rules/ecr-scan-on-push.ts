import { defineRule } from '../rule';
import { block, isTrue } from '../stack-view';

/** Release registries scan every pushed image for known vulnerabilities. */
export const ecrScanOnPush = defineRule({
  id: 'ecr-scan-on-push',
  checkovId: 'CKV_AWS_163',
  explanation: 'ECR repository does not scan pushed images for vulnerabilities',
  fix: 'set image_scanning_configuration { scan_on_push = true } (or enable enhanced scanning for the registry)',
  resourceTypes: ['aws_ecr_repository'],
  evaluate(repo) {
    return isTrue(block(repo.config.image_scanning_configuration).scan_on_push) ? 'compliant' : 'non-compliant';
  },
});
