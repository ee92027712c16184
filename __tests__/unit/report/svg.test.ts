// The SVG chart: well-formed XML (checked by a small parser below), self-contained (no scripts, external
// fonts, images or links), series drawn as paths (step-after = only H and V moves), round tick values.
import { escapeXml, niceTicks, renderSvgChart, type SvgChart } from '../../../src/report/svg';
import { checkXml } from '../../helpers/xmlCheck';

const chart: SvgChart = {
  title: 'Sweep of W1[409,18] — a <model> & "friends"',
  subtitle: '100 test images',
  xLabel: 'value added to W1[409,18]',
  x: [-1, -0.5, 0, 0.5, 1],
  panels: [
    { label: 'CEE (mean/img)', series: [{ name: 'CEE', y: [0.3, 0.28, 0.27, 0.28, 0.31], color: '#d62728' }] },
    { label: 'accuracy', series: [{ name: 'accuracy', y: [0.9, 0.9, 0.91, 0.91, 0.92], color: '#2ca02c', step: true }] },
  ],
  mark: { x: 0, label: 'model' },
  footer: 'accuracy changed at 2 of 4 steps; CEE changed at 4 of 4',
};

describe('renderSvgChart', () => {
  const svg = renderSvgChart(chart);

  it('is well-formed XML with one <svg> root in the SVG namespace', () => {
    const names = checkXml(svg);
    expect(names[0]).toBe('svg');
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /);
  });

  it('is self-contained: no scripts, images, links, external fonts or stylesheets', () => {
    expect(svg).not.toMatch(/<script|<image|<foreignObject|href=|@import|url\(|<style/i);
    expect(svg.match(/https?:\/\//g)).toEqual(['http://']); // the xmlns only
  });

  it('escapes the title', () => {
    expect(svg).toContain('Sweep of W1[409,18] — a &lt;model&gt; &amp; &quot;friends&quot;');
  });

  it('draws each series once: smooth as M/L, the step series with H and V only', () => {
    const paths = [...svg.matchAll(/<path class="series" data-series="([^"]+)" d="([^"]+)"/g)].map((m) => [m[1], m[2]] as const);
    expect(paths.map((p) => p[0])).toEqual(['CEE', 'accuracy']);
    expect(paths[0][1]).toMatch(/^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){4}$/);
    expect(paths[1][1]).toMatch(/^M[\d.]+ [\d.]+( H[\d.]+ V[\d.]+){4}$/);
    // the staircase's level at x = 0 (value 0.91) equals its level at x = 0.5: the V move there is a no-op
    const moves = paths[1][1].split(' ');
    expect(moves[5]).toBe(moves[7]); // [M, y0, H, V, H, V(x = 0), H, V(x = 0.5), ...]
  });

  it('has a dashed mark line per panel, the footer and the axis label', () => {
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
    expect(svg).toContain('>accuracy changed at 2 of 4 steps; CEE changed at 4 of 4</text>');
    expect(svg).toContain('>value added to W1[409,18]</text>');
  });
});

describe('niceTicks', () => {
  it('steps of 1, 2 or 5 × 10^k covering the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    // range 0.063 / 5 = 0.0126 -> step 0.02: 0.28, 0.30, 0.32
    expect(niceTicks(0.2757, 0.3387, 5)).toEqual([0.28, 0.3, 0.32]);
    // range 4 / 8 = 0.5 -> step 0.5
    expect(niceTicks(-2, 2, 8)).toEqual([-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('escapeXml', () => {
  it('escapes the four characters that break text and attributes', () => {
    expect(escapeXml('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
  });
});
