// The diagram page checked by real tools: xmllint parses the XHTML page, rsvg-convert renders the SVG to PNG.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diagramMain } from '../../lib/commands/diagram';
import { envDir } from '../support/env-dir';

describe('the diagram page', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diagram-e2e-'));
  beforeAll(() => {
    expect(
      diagramMain(['prod', 'dev', '--values', envDir(), '--out', out, '--synth-out', out], {
        stdout: () => {},
        stderr: () => {},
      }),
    ).toBe(0);
  });

  test.each(['prod', 'dev'])('%s.html is well-formed XHTML (xmllint)', (env) => {
    const run = spawnSync('xmllint', ['--noout', path.join(out, `${env}.html`)], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  test.each(['prod', 'dev'])('the SVG of %s renders to a PNG (rsvg-convert)', (env) => {
    const html = fs.readFileSync(path.join(out, `${env}.html`), 'utf8');
    const svg = path.join(out, `${env}.svg`);
    fs.writeFileSync(svg, html.slice(html.indexOf('<svg'), html.indexOf('</svg>') + 6));
    const png = path.join(out, `${env}.png`);
    const run = spawnSync('rsvg-convert', [svg, '-o', png], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(Number(/<svg [^>]*width="(\d+)"/.exec(html)![1])); // the layout's width, rendered
  });
});
