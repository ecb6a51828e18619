// @ts-check
/**
 * The `layers/imports` rule: a file of a layer may import only from the areas its layer lists.
 *
 * `no-restricted-imports` matches the import string as written, so `../../commands/x` is caught
 * at one depth and missed at another, and `./../commands`, an absolute path or a dynamic
 * `import()` slip through. This rule resolves every module a file names (static and dynamic
 * imports, re-exports, `require`, `import x = require()`, `typeof import()` types) to the path
 * it lands on, and judges that. The policy (areas and layers) is in eslint.config.js.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ readonly may: readonly string[]; readonly why: string;
 *   readonly packages?: { readonly allow?: readonly string[]; readonly deny?: readonly string[] } }} Layer
 * @typedef {{ readonly root: string; readonly areas: Readonly<Record<string, readonly string[]>>;
 *   readonly layers: Readonly<Record<string, Layer>> }} Options
 */

/** `@scope/name/sub` → `@scope/name`; `node:fs/promises` → `node:fs`; `zod/v4` → `zod`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The path of `absolute` from the project root, `/`-separated, without its extension. */
function projectPath(root, absolute) {
  return relative(root, absolute)
    .split(sep)
    .join('/')
    .replace(/\.(?:d\.)?[cm]?[jt]sx?$/, '');
}

/** The area holding a project path: the one with the longest folder or file containing it. */
function areaOf(path, areas) {
  let best = { area: 'outside the source tree', length: -1 };
  for (const [area, prefixes] of Object.entries(areas)) {
    for (const prefix of prefixes) {
      const holds = path === prefix || path.startsWith(`${prefix}/`);
      if (holds && prefix.length > best.length) best = { area, length: prefix.length };
    }
  }
  return best.area;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layerImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Dependencies point inward: a layer imports only what its layer may.' },
    schema: [{ type: 'object' }],
    messages: {
      forbidden: '{{from}} may not import {{to}} ({{specifier}}): {{why}}',
      package: '{{from}} may not import the package {{specifier}}: {{why}}',
      unresolvable:
        '{{from}} must name its imports by a relative path, so the layer rule can check them ({{specifier}})',
    },
  },
  create(context) {
    const options = /** @type {Options} */ (context.options[0]);
    const from = areaOf(projectPath(options.root, context.filename), options.areas);
    const layer = options.layers[from];
    if (!layer) return {};
    const ownName = JSON.parse(readFileSync(join(options.root, 'package.json'), 'utf8')).name;

    /** @param {import('estree').Node} node @param {string | undefined} specifier */
    function check(node, specifier) {
      if (specifier === undefined) {
        context.report({ node, messageId: 'unresolvable', data: { from, specifier: 'computed' } });
        return;
      }
      const data = { from, specifier, why: layer.why };
      let absolute;
      if (specifier.startsWith('file:')) absolute = fileURLToPath(specifier);
      else if (specifier.startsWith('.') || isAbsolute(specifier)) {
        absolute = resolve(dirname(context.filename), specifier);
      }
      if (absolute === undefined) {
        const name = packageName(specifier);
        // Subpath imports (`#x`) and the package's own name reach our files by a map this rule
        // does not read.
        if (name.startsWith('#') || name === ownName) {
          context.report({ node, messageId: 'unresolvable', data });
        } else if (
          (layer.packages?.allow && !layer.packages.allow.includes(name)) ||
          layer.packages?.deny?.includes(name)
        ) {
          context.report({ node, messageId: 'package', data });
        }
        return;
      }
      const to = areaOf(projectPath(options.root, absolute), options.areas);
      if (!layer.may.includes(to)) {
        context.report({ node, messageId: 'forbidden', data: { ...data, to } });
      }
    }

    /** The module a node names, or undefined when it is computed at run time. */
    function literal(node) {
      if (!node) return undefined;
      if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
      if (node.type === 'TemplateLiteral' && node.expressions.length === 0) {
        return node.quasis[0]?.value.cooked ?? undefined;
      }
      if (node.type === 'TSLiteralType') return literal(node.literal);
      return undefined;
    }

    /** @param {any} node */
    const source = (node) => check(node, literal(node.source));
    return {
      ImportDeclaration: source,
      ExportNamedDeclaration: (node) => node.source && source(node),
      ExportAllDeclaration: source,
      ImportExpression: source,
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          check(node, literal(node.arguments[0]));
        }
      },
      /** @param {any} node */
      TSExternalModuleReference: (node) => check(node, literal(node.expression)),
      /** @param {any} node */
      TSImportType: (node) => check(node, literal(node.source ?? node.argument)),
    };
  },
};

export default { rules: { imports: layerImports } };
