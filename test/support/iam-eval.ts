// A small IAM policy evaluator for tests: which identity policies a synthesized role holds, and whether they allow
// one action on one resource. Over-approximates (a statement with conditions counts as allowing), so "not allowed"
// is a proof for the documents given; explicit denies win.
import * as fs from 'fs';
import * as path from 'path';
import { followPublished, resources, TfJson } from './synth';

/** One policy statement (IAM JSON). */
export interface IamStatement {
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: unknown;
}
/** A policy document with where it came from. */
export interface NamedPolicy {
  readonly source: string;
  readonly statements: readonly IamStatement[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string, value: string, caseless: boolean) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseless ? 'i' : '',
  ).test(value);

function matches(st: IamStatement, action: string, resource: string): boolean {
  const actionOk =
    st.Action !== undefined
      ? list(st.Action).some((a) => glob(a, action, true))
      : !list(st.NotAction).some((a) => glob(a, action, true));
  const resourceOk =
    st.Resource !== undefined
      ? list(st.Resource).some((r) => glob(r, resource, false))
      : !list(st.NotResource).some((r) => glob(r, resource, false));
  return actionOk && resourceOk;
}

/** Whether the policies allow `action` on `resource` (no explicit deny, at least one allow). */
export function allows(policies: readonly NamedPolicy[], action: string, resource: string): boolean {
  const all = policies.flatMap((p) => p.statements);
  if (all.some((st) => st.Effect === 'Deny' && matches(st, action, resource))) return false;
  return all.some((st) => st.Effect === 'Allow' && matches(st, action, resource));
}

/** The policies that grant `action` on `resource`, by source (to name the culprit in a failure). */
export function grantingPolicies(policies: readonly NamedPolicy[], action: string, resource: string): string[] {
  return policies
    .filter((p) => p.statements.some((st) => st.Effect === 'Allow' && matches(st, action, resource)))
    .map((p) => p.source);
}

/** Concrete values for the account and partition data sources, so ARNs in policies can be compared. */
export function concrete(text: string, account: string): string {
  return text
    .replace(/\$\{data\.aws_partition\.[^}]+\.partition\}/g, 'aws')
    .replace(/\$\{data\.aws_caller_identity\.[^}]+\.account_id\}/g, account);
}

/** Parses a synthesized policy: JSON text, or a `${jsonencode({...})}` expression (references become `${...}` strings). */
export function parsePolicy(text: string): IamStatement[] {
  const hcl = /^\$\{jsonencode\((.*)\)\}$/s.exec(text);
  const json = hcl
    ? hcl[1]
        .replace(/"([^"]+)" = /g, '"$1": ')
        .replace(/(?<=[:[,]\s?)([a-z][\w-]*\.[\w.-]+)(?=[,}\]])/g, (ref) => `"\${${ref}}"`)
    : text;
  return (JSON.parse(json) as { Statement: IamStatement[] }).Statement;
}

const MANAGED = path.join(__dirname, '..', 'fixtures', 'aws-managed-policies');

/** An AWS managed policy's document, from its fixture (fails the test when no fixture holds it). */
export function managedPolicy(arn: string): NamedPolicy {
  const name = arn.split('/').pop()!;
  const file = path.join(MANAGED, `${name}.json`);
  if (!fs.existsSync(file))
    throw new Error(
      `${arn} is attached but has no fixture in test/fixtures/aws-managed-policies/: add its published document`,
    );
  return {
    source: arn,
    statements: (JSON.parse(fs.readFileSync(file, 'utf8')) as { Statement: IamStatement[] }).Statement,
  };
}

/** The stack that publishes the parameter a published read (`${zipmap(...)["<name>"]}`) names. */
function publisher(stacks: ReadonlyMap<string, TfJson>, read: string): TfJson {
  const name = /\["([^"]+)"\]\}$/.exec(read)?.[1];
  const found = [...stacks.values()].find((s) => resources(s, 'aws_ssm_parameter').some((p) => p.name === name));
  if (!found) throw new Error(`no stack publishes ${name}`);
  return found;
}

/** Every identity policy of the role named `roleName` in `stack` (inline and attached, published ARNs followed into the other stacks). */
export function rolePolicies(
  stacks: ReadonlyMap<string, TfJson>,
  stack: TfJson,
  roleName: string,
  account: string,
): NamedPolicy[] {
  const [roleId] = Object.entries(stack.resource?.aws_iam_role ?? {}).find(([, r]) => r.name === roleName) ?? [];
  if (!roleId) throw new Error(`no role ${roleName}`);
  const ofRole = (v: unknown) => new RegExp(`\\$\\{aws_iam_role\\.${roleId}\\.(id|name)\\}`).test(String(v));
  const inline = resources(stack, 'aws_iam_role_policy')
    .filter((p) => ofRole(p.role))
    .map((p) => ({ source: `inline ${String(p.name)}`, statements: parsePolicy(concrete(String(p.policy), account)) }));
  const attached = resources(stack, 'aws_iam_role_policy_attachment')
    .filter((a) => ofRole(a.role))
    .map((a) => {
      const published = String(a.policy_arn).includes('zipmap(');
      const arn = concrete(followPublished(stacks, a.policy_arn), account);
      if (/^arn:aws:iam::aws:policy\//.test(arn)) return managedPolicy(arn);
      const ref = /^\$\{aws_iam_policy\.([^.]+)\.arn\}$/.exec(arn);
      if (!ref) throw new Error(`cannot resolve the attached policy ${arn}`);
      // An in-stack reference resolves in the role's own stack, a published ARN in the stack that publishes it
      // (construct-derived ids repeat across stacks: blue's and green's release-read, prod's and staging's shared).
      for (const s of published ? [publisher(stacks, String(a.policy_arn))] : [stack]) {
        const policy = s.resource?.aws_iam_policy?.[ref[1]];
        if (policy)
          return { source: String(policy.name), statements: parsePolicy(concrete(String(policy.policy), account)) };
      }
      throw new Error(`no stack holds ${arn}`);
    });
  return [...inline, ...attached];
}
