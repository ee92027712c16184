// A self-contained SVG line chart (no scripts, no external fonts or styles): panels stacked over one
// x axis, each with ticks, grid, legend and its series as smooth polylines or step-after staircases.
// Written by hand: a charting library (vega-lite) would add megabytes and ESM-only packages for this.

export interface SvgSeries {
  /** Legend text and data-series attribute. */
  readonly name: string;
  readonly y: ArrayLike<number>;
  readonly color: string;
  /** Step-after: hold each value until the next x (for accuracy, which only takes values k/n). */
  readonly step?: boolean;
}

export interface SvgPanel {
  /** y-axis label. */
  readonly label: string;
  readonly series: readonly SvgSeries[];
}

export interface SvgChart {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly x: ArrayLike<number>;
  readonly panels: readonly SvgPanel[];
  /** A vertical dashed line, e.g. at the model's own weight. */
  readonly mark?: { readonly x: number; readonly label: string };
  /** Text under the chart (e.g. the verdict line). */
  readonly footer?: string;
}

const WIDTH = 820;
const LEFT = 86;
const RIGHT = 24;
const PANEL_HEIGHT = 170;
const PANEL_GAP = 44;

/** &, <, >, " escaped for text and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values (steps 1, 2 or 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Decimals that show ticks spaced `step` apart without noise. */
function tickDecimals(ticks: readonly number[]): number {
  if (ticks.length < 2) return 4;
  const step = Math.abs(ticks[1] - ticks[0]);
  return Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)));
}

function range(values: readonly ArrayLike<number>[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) { lo = Math.min(lo, v[i]); hi = Math.max(hi, v[i]); }
  if (!(lo <= hi)) return [0, 1];
  if (hi === lo) { const pad = Math.abs(lo) * 0.01 || 0.01; return [lo - pad, hi + pad]; }
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

const num = (v: number) => (Math.round(v * 100) / 100).toString();

/** Renders the chart as one SVG document (UTF-8 text, starting with the XML declaration). */
export function renderSvgChart(chart: SvgChart): string {
  const top = chart.subtitle ? 74 : 54;
  const bottomAxis = 56 + (chart.footer ? 22 : 0);
  const height = top + chart.panels.length * PANEL_HEIGHT + (chart.panels.length - 1) * PANEL_GAP + bottomAxis;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const [x0, x1] = (() => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < chart.x.length; i++) { lo = Math.min(lo, chart.x[i]); hi = Math.max(hi, chart.x[i]); }
    return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
  })();
  const sx = (v: number) => LEFT + ((v - x0) / (x1 - x0)) * plotWidth;
  const xTicks = niceTicks(x0, x1, 8);
  const xDecimals = tickDecimals(xTicks);

  const parts: string[] = [];
  parts.push('<?xml version="1.0" encoding="UTF-8"?>');
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="12">`);
  parts.push(`<title>${escapeXml(chart.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${LEFT}" y="28" font-size="16" font-weight="bold" fill="#222">${escapeXml(chart.title)}</text>`);
  if (chart.subtitle) parts.push(`<text x="${LEFT}" y="50" fill="#555">${escapeXml(chart.subtitle)}</text>`);

  chart.panels.forEach((panel, p) => {
    const py = top + p * (PANEL_HEIGHT + PANEL_GAP);
    const [lo, hi] = range(panel.series.map((s) => s.y));
    const sy = (v: number) => py + PANEL_HEIGHT - ((v - lo) / (hi - lo)) * PANEL_HEIGHT;
    const yTicks = niceTicks(lo, hi, 5).filter((t) => t >= lo && t <= hi);
    const yDecimals = tickDecimals(yTicks);
    parts.push(`<g class="panel" data-panel="${escapeXml(panel.label)}">`);
    parts.push(`<rect x="${LEFT}" y="${py}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="#fafafa" stroke="#999" stroke-width="1"/>`);
    for (const t of yTicks) {
      const y = num(sy(t));
      parts.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + plotWidth}" y2="${y}" stroke="#e4e4e4" stroke-width="1"/>`);
      parts.push(`<line x1="${LEFT - 5}" y1="${y}" x2="${LEFT}" y2="${y}" stroke="#666" stroke-width="1"/>`);
      parts.push(`<text x="${LEFT - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#333">${t.toFixed(yDecimals)}</text>`);
    }
    for (const t of xTicks) {
      const x = num(sx(t));
      parts.push(`<line x1="${x}" y1="${py}" x2="${x}" y2="${py + PANEL_HEIGHT}" stroke="#ececec" stroke-width="1"/>`);
      parts.push(`<line x1="${x}" y1="${py + PANEL_HEIGHT}" x2="${x}" y2="${py + PANEL_HEIGHT + 5}" stroke="#666" stroke-width="1"/>`);
      parts.push(`<text x="${x}" y="${py + PANEL_HEIGHT + 18}" text-anchor="middle" fill="#333">${t.toFixed(xDecimals)}</text>`);
    }
    const labelY = py + PANEL_HEIGHT / 2;
    parts.push(`<text x="18" y="${labelY}" text-anchor="middle" transform="rotate(-90 18 ${labelY})" fill="#222">${escapeXml(panel.label)}</text>`);
    if (chart.mark && chart.mark.x >= x0 && chart.mark.x <= x1) {
      const x = num(sx(chart.mark.x));
      parts.push(`<line x1="${x}" y1="${py}" x2="${x}" y2="${py + PANEL_HEIGHT}" stroke="#888" stroke-width="1" stroke-dasharray="4 3"/>`);
      if (p === 0) parts.push(`<text x="${num(sx(chart.mark.x) + 4)}" y="${py + 14}" fill="#666">${escapeXml(chart.mark.label)}</text>`);
    }
    for (const s of panel.series) {
      const cmds: string[] = [];
      let pen = false;
      for (let i = 0; i < chart.x.length; i++) {
        if (!Number.isFinite(s.y[i])) { pen = false; continue; }
        const x = num(sx(chart.x[i])), y = num(sy(s.y[i]));
        if (!pen) cmds.push(`M${x} ${y}`);
        else if (s.step) cmds.push(`H${x}`, `V${y}`); // step-after: hold the previous value up to this x, then jump
        else cmds.push(`L${x} ${y}`);
        pen = true;
      }
      parts.push(`<path class="series" data-series="${escapeXml(s.name)}" d="${cmds.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"/>`);
    }
    if (panel.series.length > 1) panel.series.forEach((s, k) => {
      const lx = LEFT + plotWidth - 150, ly = py + 16 + k * 18;
      parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
      parts.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle" fill="#222">${escapeXml(s.name)}</text>`);
    });
    parts.push('</g>');
  });
  const axisY = top + chart.panels.length * PANEL_HEIGHT + (chart.panels.length - 1) * PANEL_GAP;
  parts.push(`<text x="${LEFT + plotWidth / 2}" y="${axisY + 40}" text-anchor="middle" fill="#222">${escapeXml(chart.xLabel)}</text>`);
  if (chart.footer) parts.push(`<text x="${LEFT}" y="${axisY + 64}" fill="#444">${escapeXml(chart.footer)}</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
