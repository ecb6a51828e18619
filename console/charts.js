/**
 * Two small charts drawn as inline SVG: nothing to fetch, nothing to run but this. Each has a
 * title and a description for screen readers, and the figures are in a table next to it too.
 */
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) {
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const WIDTH = 640;
const HEIGHT = 260;
const PAD = { top: 16, right: 16, bottom: 40, left: 80 };

function frame(title, description) {
  const id = `chart-${Math.random().toString(36).slice(2)}`;
  return svg(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      class: 'chart',
    },
    svg('title', { id: `${id}-title` }, title),
    svg('desc', { id: `${id}-desc` }, description),
  );
}

/** Round bounds of an axis holding `values` and zero, with a handful of ticks. */
function axis(values) {
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const span = high - low || 1;
  const step = 10 ** Math.floor(Math.log10(span / 4));
  const nice = [1, 2, 5, 10].map((factor) => factor * step).find((size) => span / size <= 5);
  const min = Math.floor(low / nice) * nice;
  const max = Math.ceil(high / nice) * nice || nice;
  const ticks = [];
  for (let tick = min; tick <= max + nice / 2; tick += nice) ticks.push(tick);
  return { min, max, ticks };
}

function yAxis(chart, scale, ticks) {
  for (const tick of ticks) {
    const y = scale(tick);
    chart.append(
      svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: 'grid' }),
      svg('text', { x: PAD.left - 8, y: y + 4, 'text-anchor': 'end', class: 'tick' }, tick),
    );
  }
}

/** Bars of `{ label, value }` (value a decimal string), e.g. the aging buckets. */
export function barChart(title, bars, currency) {
  const values = bars.map((bar) => Number(bar.value));
  const { min, max, ticks } = axis(values);
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const scale = (value) => PAD.top + ((max - value) / (max - min)) * plotHeight;
  const chart = frame(
    title,
    bars.map((bar) => `${bar.label}: ${bar.value} ${currency}`).join('; '),
  );
  yAxis(chart, scale, ticks);
  const slot = (WIDTH - PAD.left - PAD.right) / bars.length;
  bars.forEach((bar, index) => {
    const value = Number(bar.value);
    const x = PAD.left + index * slot + slot * 0.2;
    const top = scale(Math.max(value, 0));
    const height = Math.abs(scale(value) - scale(0));
    chart.append(
      svg('rect', { x, y: top, width: slot * 0.6, height, class: 'bar' }),
      svg(
        'text',
        { x: x + slot * 0.3, y: HEIGHT - PAD.bottom + 18, 'text-anchor': 'middle', class: 'tick' },
        bar.label,
      ),
      svg(
        'text',
        { x: x + slot * 0.3, y: top - 4, 'text-anchor': 'middle', class: 'value' },
        bar.value,
      ),
    );
  });
  return chart;
}

/** A step line of `{ date, value }` in date order: a balance that changes on posting dates. */
export function lineChart(title, points, currency) {
  const values = points.map((point) => Number(point.value));
  const { min, max, ticks } = axis(values);
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const scale = (value) => PAD.top + ((max - value) / (max - min)) * plotHeight;
  const chart = frame(
    title,
    points.length === 0
      ? 'No postings'
      : `From ${points[0].value} ${currency} on ${points[0].date} to ${points.at(-1).value} ${currency} on ${points.at(-1).date}`,
  );
  yAxis(chart, scale, ticks);
  if (points.length === 0) return chart;
  const days = (date) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  const first = days(points[0].date);
  const span = days(points.at(-1).date) - first || 1;
  const x = (date) => PAD.left + ((days(date) - first) / span) * plotWidth;
  let path = '';
  points.forEach((point, index) => {
    const px = x(point.date).toFixed(1);
    const py = scale(Number(point.value)).toFixed(1);
    if (index === 0) path = `M${px},${py}`;
    else path += ` H${px} V${py}`;
  });
  chart.append(svg('path', { d: path, class: 'line' }));
  for (const point of points) {
    chart.append(
      svg('circle', { cx: x(point.date), cy: scale(Number(point.value)), r: 3, class: 'dot' }),
    );
  }
  const labelled = [points[0], points.at(-1)];
  for (const point of labelled) {
    chart.append(
      svg(
        'text',
        {
          x: x(point.date),
          y: HEIGHT - PAD.bottom + 18,
          'text-anchor': point === points[0] ? 'start' : 'end',
          class: 'tick',
        },
        point.date,
      ),
    );
  }
  return chart;
}
