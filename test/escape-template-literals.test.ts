import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, Fn, LocalBackend, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { enforceGuardrails } from '../lib/policy/enforce';
import {
  EscapeTemplateLiterals,
  escapeTemplateLiterals,
  escapeTemplateSequences,
  templateLiteralArgument,
} from '../lib/escape-template-literals';

/** A stack with the aspect: one parameter whose value mixes literal template text and a real reference. */
function build(stack: TerraformStack): SsmParameter {
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const upstream = new SsmParameter(stack, 'upstream', { name: '/app/upstream', type: 'String', value: 'v' });
  const param = new SsmParameter(stack, 'param', {
    name: '/app/param',
    type: 'String',
    value: `literal \${HOME} and %{ if x } then ${upstream.value}`,
    description: 'shell ${VAR} and %{ directive }',
    tags: { 'key ${k}': 'value ${v}', plain: upstream.arn },
  });
  param.addOverride('tags_all', { nested: ['${a}', { '%{b}': '%{c}' }] });
  new TerraformOutput(stack, 'out', {
    value: { list: ['${x}', upstream.id], text: '%{ for }' },
    description: 'output ${d}',
  });
  Aspects.of(stack).add(new EscapeTemplateLiterals());
  return param;
}

function synth(): Record<string, any> {
  const stack = new TerraformStack(Testing.app(), 'stack');
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

describe('escapeTemplateSequences', () => {
  test('escapes ${ and %{ in literal text', () => {
    expect(escapeTemplateSequences('a ${b} %{ if c }')).toBe('a $${b} %%{ if c }');
  });

  test('keeps cdktf token markers (string tokens) as they are', () => {
    expect(escapeTemplateSequences('${TfToken[TOKEN.12]}/%{x}')).toBe('${TfToken[TOKEN.12]}/%%{x}');
  });

  test('leaves text without { alone, and $ or % not followed by {', () => {
    expect(escapeTemplateSequences('$HOME 100% $$ %%')).toBe('$HOME 100% $$ %%');
  });

  test('is not idempotent: text written as $${ is literal too, and gets one more $', () => {
    expect(escapeTemplateSequences('$${x}')).toBe('$$${x}');
    expect(escapeTemplateSequences(escapeTemplateSequences('${x}'))).not.toBe(escapeTemplateSequences('${x}'));
  });
});

describe('escapeTemplateLiterals', () => {
  test('escapes values and keys, nested in objects and lists; numbers, booleans and null stay', () => {
    const input = { 'k${1}': ['${a}', { '%{b}': '%{c}', n: 1, t: true, z: null }] };
    expect(escapeTemplateLiterals(input)).toEqual({
      'k$${1}': ['$${a}', { '%%{b}': '%%{c}', n: 1, t: true, z: null }],
    });
    expect(input).toEqual({ 'k${1}': ['${a}', { '%{b}': '%{c}', n: 1, t: true, z: null }] });
  });

  test('a key named __proto__ stays a key (of a plain object), escaped like any other', () => {
    const escaped = escapeTemplateLiterals(JSON.parse('{"__proto__": "${x}", "y": 1}')) as object;
    expect(Object.getPrototypeOf(escaped)).toBe(Object.prototype);
    expect(JSON.stringify(escaped)).toBe('{"__proto__":"$${x}","y":1}');
  });

  test('a string holding only token markers is returned as it is; literal text beside them is escaped', () => {
    const refs = '${TfToken[TOKEN.1]}-${TfToken[TOKEN.2]}';
    expect(escapeTemplateSequences(refs)).toBe(refs);
    expect(escapeTemplateSequences('a$' + '${TfToken[TOKEN.1]}' + '{b}')).toBe('a$' + '${TfToken[TOKEN.1]}' + '{b}');
    // beside a marker, escaped literal text becomes a token of its own (see escapeTemplateSequences)
    const mixed = escapeTemplateSequences('${TfToken[TOKEN.1]}${x}');
    expect(mixed).not.toBe('${TfToken[TOKEN.1]}${x}');
    expect(mixed).toMatch(/^\$\{TfToken\[TOKEN\.1\]\}\$\{TfToken\[TOKEN\.\d+\]\}$/);
  });
});

describe('EscapeTemplateLiterals aspect', () => {
  const json = synth();
  const param = json.resource.aws_ssm_parameter.param;

  test('escapes literal text in attribute values and keeps the reference an interpolation', () => {
    expect(param.value).toBe('literal $${HOME} and %%{ if x } then ${aws_ssm_parameter.upstream.value}');
    expect(param.description).toBe('shell $${VAR} and %%{ directive }');
  });

  test('keeps a reference that follows an unclosed literal ${ in the same string', () => {
    // cdktf would read `${x then <token>` as one hand-written expression and drop the token's braces.
    const stack = new TerraformStack(Testing.app(), 'stack');
    build(stack);
    const upstream = stack.node.findChild('upstream') as SsmParameter;
    new TerraformOutput(stack, 'open', { value: `{"a": "\${x", "b": "${upstream.arn}"}` });
    expect(JSON.parse(Testing.synth(stack)).output.open.value).toBe(
      '{"a": "$${x", "b": "${aws_ssm_parameter.upstream.arn}"}',
    );
  });

  test('escapes map keys and values; a reference as a map value stays', () => {
    expect(param.tags).toEqual({ 'key $${k}': 'value $${v}', plain: '${aws_ssm_parameter.upstream.arn}' });
  });

  test('escapes raw overrides, nested', () => {
    expect(param.tags_all).toEqual({ nested: ['$${a}', { '%%{b}': '%%{c}' }] });
  });

  test('escapes outputs (value and description); a reference in a list stays', () => {
    expect(json.output.out).toEqual({
      value: { list: ['$${x}', '${aws_ssm_parameter.upstream.id}'], text: '%%{ for }' },
      description: 'output $${d}',
    });
  });

  test("escapes a stack's own overrides", () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    build(stack);
    stack.addOverride('locals.note', 'see ${here}');
    expect(JSON.parse(Testing.synth(stack)).locals).toEqual({ note: 'see $${here}' });
  });

  test('escapes each element once however often aspects run (Testing.synth twice renders the same)', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    build(stack);
    expect(Testing.synth(stack)).toBe(Testing.synth(stack));
  });

  test('runs for app.synth() and for enforceGuardrails (which renders before app.synth())', () => {
    const outs = [false, true].map((guarded) => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-escape-'));
      const app = new App({ outdir, stackTraces: false });
      const stack = new TerraformStack(app, 'stack');
      new LocalBackend(stack, { path: 'terraform.tfstate' });
      build(stack);
      if (guarded) enforceGuardrails(app, { write: () => undefined });
      app.synth();
      const text = fs.readFileSync(path.join(outdir, 'stacks/stack/cdk.tf.json'), 'utf8');
      fs.rmSync(outdir, { recursive: true, force: true });
      return JSON.parse(text);
    });
    for (const out of outs)
      expect(out.resource.aws_ssm_parameter.param.value).toBe(
        'literal $${HOME} and %%{ if x } then ${aws_ssm_parameter.upstream.value}',
      );
    expect(outs[1]).toEqual(outs[0]);
  });

  test("keeps the workspace expression cdktf writes into a cross-stack reference's remote state", () => {
    const app = Testing.app();
    const producer = new TerraformStack(app, 'producer');
    new AwsProvider(producer, 'aws', { region: 'eu-west-1' });
    const upstream = new SsmParameter(producer, 'upstream', { name: '/p', type: 'String', value: 'v' });
    const consumer = new TerraformStack(app, 'consumer');
    new AwsProvider(consumer, 'aws', { region: 'eu-west-1' });
    new SsmParameter(consumer, 'copy', { name: '/c', type: 'String', value: upstream.value });
    Aspects.of(consumer).add(new EscapeTemplateLiterals());
    producer.prepareStack();
    consumer.prepareStack();
    const state = Object.values(JSON.parse(Testing.synth(consumer)).data.terraform_remote_state)[0] as Record<
      string,
      unknown
    >;
    expect(state.workspace).toBe('${terraform.workspace}');
  });
});

describe('templateLiteralArgument', () => {
  test('escapes ${ and %{ inside a Terraform function call, where the aspect cannot reach', () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        new TerraformOutput(scope, 'o', {
          value: Fn.join('', [templateLiteralArgument('a ${b} %{ if c }'), Fn.upper('x')]),
        });
      }),
    );
    expect(json.output.o.value).toBe('${join("", ["a $${b} %%{ if c }", upper("x")])}');
  });
});
