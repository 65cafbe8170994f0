// The diagram's SVG measured in a real browser (headless Debian chromium): no label overlaps another label or a box,
// every line of text stays inside its box, and no arrow runs through a label or a box it does not connect. One
// Chromium run for every case; a negative control proves the check can fail.
import { buildDiagram, renderSvg } from '../../lib/commands/diagram';
import { MeasuredSvg, measureSvgs } from './diagram-chromium';
import { diagramCases } from './diagram-cases';

describe('the diagram in headless Chromium', () => {
  const cases = diagramCases().map((c) => ({ name: c.name, svg: renderSvg(buildDiagram(c.config)) }));
  // Negative control: the first case with one edge label moved onto the first line of the users box.
  const control = cases[0].svg.replace(/(<text class="edge-label"[^>]*?) x="[^"]*" y="[^"]*"/, (_m, head: string) => {
    const users = /<g class="node node-users" id="node-users">\n<rect x="([\d.]+)" y="([\d.]+)"/.exec(cases[0].svg)!;
    return `${head} x="${Number(users[1]) + 12}" y="${Number(users[2]) + 20}"`;
  });
  let measured: MeasuredSvg[] = [];
  beforeAll(async () => {
    measured = await measureSvgs([...cases, { name: 'control', svg: control }]);
  }, 90_000);

  test('Chromium measured every label of every case, each with a size', () => {
    expect(measured.map((m) => m.name)).toEqual([...cases.map((c) => c.name), 'control']);
    for (const [i, c] of cases.entries()) {
      expect(measured[i].labels).toBe(c.svg.match(/<text /g)!.length);
      expect(measured[i].empty).toBe(0);
    }
  });

  test.each(diagramCases().map((c) => c.name))(
    '%s: no label overlaps, no text leaves its box, no arrow crosses a label or box',
    (name) => {
      expect(measured.find((m) => m.name === name)!.problems).toEqual([]);
    },
  );

  test('fails when a label is moved onto another (negative control)', () => {
    const problems = measured.find((m) => m.name === 'control')!.problems;
    expect(problems.some((p) => /^labels overlap: ".*" and "Users"|^labels overlap: "Users" and /.test(p))).toBe(true);
    expect(problems.some((p) => /^label on box node-users/.test(p))).toBe(true);
  });
});
