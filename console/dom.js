import { ApiError } from './api.js';

/**
 * Building the page from data: elements made with `h`, text always set as text (never HTML), so
 * nothing the API returns can run as markup.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An amount exactly as the API gives it (a decimal string), with its currency. */
export function money(amount, currency) {
  if (amount === undefined || amount === null) return '—';
  return h(
    'span',
    { class: 'money', dataset: { amount } },
    h('span', { class: 'amount' }, amount),
    currency ? h('span', { class: 'currency' }, ` ${currency}`) : null,
  );
}

/** A link inside the console (hash routes, so the server serves one page). */
export function link(route, text, props = {}) {
  return h('a', { href: `#${route}`, ...props }, text);
}

/**
 * A table with a caption and column headers; a column is `{ label, cell, numeric? }` where
 * `cell(row)` gives the content. Numeric columns are right-aligned, headers included.
 */
export function table(caption, columns, rows, { footer, empty = 'Nothing to show.', id } = {}) {
  const numeric = (column) => (column.numeric ? 'num' : undefined);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((column) => h('th', { scope: 'col', class: numeric(column) }, column.label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.length === 0
          ? h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty))
          : rows.map((row) =>
              h(
                'tr',
                {},
                columns.map((column, index) =>
                  index === 0 && column.rowHeader
                    ? h('th', { scope: 'row', class: numeric(column) }, column.cell(row))
                    : h('td', { class: numeric(column) }, column.cell(row)),
                ),
              ),
            ),
      ),
      footer
        ? h(
            'tfoot',
            {},
            footer.map((cells) =>
              h(
                'tr',
                {},
                cells.map((cell, index) =>
                  index === 0
                    ? h('th', { scope: 'row' }, cell)
                    : h('td', { class: columns[index]?.numeric ? 'num' : undefined }, cell),
                ),
              ),
            ),
          )
        : null,
    ),
  );
}

/** A definition list of `[term, value]` pairs, for one record's fields. */
export function fields(pairs) {
  return h(
    'dl',
    { class: 'fields' },
    pairs.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]),
  );
}

/** A labelled date input (a form's `asOf` and the like). */
export function dateField(name, label, value) {
  const id = `field-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name, type: 'date', value: value ?? '' }),
  );
}

export function textField(name, label, value, props = {}) {
  const id = `field-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name, type: 'text', value: value ?? '', ...props }),
  );
}

/** A GET form whose submit navigates to `route` with the form's non-empty fields as query. */
export function filterForm(route, controls, navigate, submitLabel = 'Show') {
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    controls,
    h('button', { type: 'submit' }, submitLabel),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = {};
    for (const [name, value] of new FormData(form)) if (value !== '') query[name] = value;
    navigate(route, query);
  });
  return form;
}

export function section(title, ...children) {
  return h('section', { 'aria-label': title }, h('h2', {}, title), children);
}

/** An object shown compactly: a change's value, an event's data. */
export function compact(value) {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A refusal or failure, announced in the page's alert region. */
export function showError(error) {
  const text =
    error instanceof ApiError
      ? `${error.message} (${error.status})`
      : String(error?.message ?? error);
  document.getElementById('status').replaceChildren(h('p', { class: 'error' }, text));
}

/**
 * A personal field as the API gives it: the text; `{ redacted: true }` to a key that may not
 * read it; `null` once the person's data is erased.
 */
export function personal(value) {
  if (value === null) return h('span', { class: 'note' }, 'erased');
  if (typeof value === 'object' && value?.redacted) {
    return h('span', { class: 'note', title: 'Personal data this key may not read' }, 'redacted');
  }
  return value ?? '—';
}
