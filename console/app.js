/**
 * The console: sign-in, navigation and hash routing. Each page is declared with the scopes
 * that let a key see it (as the API's routes declare theirs: any one of them, `admin` always),
 * so a key is offered only what it can read, and no request is made that it would be refused.
 */
import { ApiError, get, session } from './api.js';
import { h, showError } from './dom.js';
import { ledgerPages } from './pages/ledger.js';
import { receivablesPages } from './pages/receivables.js';
import { auditPages } from './pages/audit.js';
import { adminPages } from './pages/admin.js';
import { peoplePages } from './pages/people.js';
import { logisticsPages } from './pages/logistics.js';
import { periodPages } from './pages/periods.js';
import { vatPages } from './pages/vat.js';
import { reminderPages } from './pages/reminders.js';

const pages = [
  ...ledgerPages,
  ...periodPages,
  ...receivablesPages,
  ...vatPages,
  ...reminderPages,
  ...auditPages,
  ...adminPages,
  ...peoplePages,
  ...logisticsPages,
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const status = document.getElementById('status');
const who = document.getElementById('who');

let me;

function can(...accepted) {
  return (
    me !== undefined &&
    (me.scopes.includes('admin') || accepted.some((scope) => me.scopes.includes(scope)))
  );
}

function routeOf(hash) {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(search)) };
}

function navigate(path, query = {}) {
  const search = new URLSearchParams(
    Object.entries(query).filter(([, value]) => value !== undefined && value !== ''),
  ).toString();
  const hash = `#${path}${search ? `?${search}` : ''}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** The page whose pattern (`/account/:code`) matches `path`, with its parameters. */
function match(path) {
  for (const page of pages) {
    const names = [];
    const pattern = new RegExp(
      `^${page.path.replace(/:(\w+)/g, (_, name) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    const found = pattern.exec(path);
    if (found) {
      const params = Object.fromEntries(
        names.map((name, i) => [name, decodeURIComponent(found[i + 1])]),
      );
      return { page, params };
    }
  }
  return undefined;
}

function renderNav(current) {
  const groups = new Map();
  for (const page of pages) {
    if (!page.nav || !can(...page.scopes)) continue;
    if (!groups.has(page.group)) groups.set(page.group, []);
    groups.get(page.group).push(page);
  }
  nav.replaceChildren(
    h(
      'ul',
      {},
      [...groups].map(([group, entries]) =>
        h(
          'li',
          {},
          h('span', { class: 'group' }, group),
          h(
            'ul',
            {},
            entries.map((page) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `#${page.path}`, 'aria-current': page === current ? 'page' : undefined },
                  page.title,
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

let renderCount = 0;

async function render() {
  if (!me) return;
  const { path, query } = routeOf(location.hash);
  const allowed = pages.filter((page) => page.nav && can(...page.scopes));
  const found = match(path);
  if (!found || !can(...found.page.scopes)) {
    if (allowed.length > 0 && (path === '/' || !found)) {
      navigate(allowed[0].path);
      return;
    }
    renderNav(undefined);
    main.replaceChildren(
      h('h1', { tabindex: '-1' }, 'Nothing to show'),
      h('p', {}, found ? `The key ${me.keyId} may not see this page.` : 'There is no such page.'),
    );
    main.dataset.rendered = location.hash;
    return;
  }
  const { page, params } = found;
  const mine = ++renderCount;
  renderNav(page);
  status.replaceChildren();
  const heading = h('h1', { tabindex: '-1' }, page.title);
  main.replaceChildren(heading, h('p', { class: 'loading' }, 'Loading…'));
  main.setAttribute('aria-busy', 'true');
  document.title = `${page.title} · Back-office console`;
  try {
    const content = await page.render({ params, query, can, navigate, keyId: me.keyId });
    if (mine !== renderCount) return;
    const title = typeof content.title === 'string' ? content.title : page.title;
    heading.textContent = title;
    document.title = `${title} · Back-office console`;
    main.replaceChildren(
      heading,
      ...[content.body]
        .flat(Infinity)
        .filter((child) => child !== null && child !== undefined && child !== false),
    );
  } catch (error) {
    if (mine !== renderCount) return;
    if (error instanceof ApiError && error.status === 401) {
      signOut('The key is no longer accepted; sign in again.');
      return;
    }
    main.replaceChildren(heading);
    showError(error);
  } finally {
    if (mine === renderCount) {
      main.removeAttribute('aria-busy');
      // Which route the page now shows: for tests and scripts that wait for a page to be done.
      main.dataset.rendered = location.hash;
    }
  }
  // Moving focus to the new heading tells keyboard and screen-reader users the page changed.
  if (document.activeElement === document.body || nav.contains(document.activeElement))
    heading.focus();
}

function signInForm(message) {
  const input = h('input', {
    id: 'api-key',
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'api-key-help',
  });
  const form = h(
    'form',
    { id: 'sign-in', class: 'sign-in' },
    h('h1', {}, 'Sign in'),
    h('div', { class: 'field' }, h('label', { for: 'api-key' }, 'API key'), input),
    h(
      'p',
      { id: 'api-key-help', class: 'help' },
      'The key is kept in this tab only (sessionStorage) and sent only to this service.',
    ),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    session.save(input.value.trim());
    await start();
  });
  nav.replaceChildren();
  who.replaceChildren();
  main.replaceChildren(form);
  if (message) status.replaceChildren(h('p', { class: 'error' }, message));
  input.focus();
}

function signOut(message) {
  session.clear();
  me = undefined;
  signInForm(message);
}

async function start() {
  if (!session.key()) {
    signInForm();
    return;
  }
  try {
    me = await get('/v1/me');
  } catch (error) {
    session.clear();
    me = undefined;
    signInForm(
      error instanceof ApiError && error.status === 401
        ? 'That API key is not valid.'
        : `Could not sign in: ${error.message}`,
    );
    return;
  }
  status.replaceChildren();
  who.replaceChildren(
    h('span', { id: 'key-id' }, `${me.keyId}`),
    h('span', { id: 'key-scopes', class: 'scopes' }, me.scopes.join(', ')),
    h('button', { type: 'button', id: 'sign-out', onclick: () => signOut() }, 'Sign out'),
  );
  await render();
}

// The skip link must not change the hash: the hash is the route.
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => void render());
void start();
