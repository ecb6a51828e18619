/**
 * Every refusal code a decider can throw is a registered problem type, so the `type` of the
 * answer it becomes has an entry in docs/problems.md. The codes are read from the source of
 * src/domain: every `refuse({ code })`, `refuseInvalid(code, ...)` and `new DomainError({ code })`,
 * with each literal a conditional code can take. A code the scan cannot read fails the test
 * rather than being skipped.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { DomainRefusal } from '../../src/domain/shared/errors.js';
import { slugOfCode, statusOfKind } from '../../src/http/problem-types.js';
import { modules } from '../../src/modules.js';

const root = resolve(import.meta.dirname, '../..');
const REFUSERS = {
  refuse: 'object',
  refuseInvalid: 'code',
  refuseUnlessDateFrom: 'code',
  DomainError: 'object',
} as const;

interface Refusal {
  readonly code: string;
  readonly kind: string;
  readonly where: string;
}

interface Found {
  readonly refusals: Refusal[];
  readonly unreadable: string[];
}

/** The string literals an expression can evaluate to, or undefined when it is not only those. */
function literals(node: ts.Expression): string[] | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node))
    return literals(node.expression);
  if (ts.isConditionalExpression(node)) {
    const [whenTrue, whenFalse] = [literals(node.whenTrue), literals(node.whenFalse)];
    return whenTrue && whenFalse ? [...whenTrue, ...whenFalse] : undefined;
  }
  return undefined;
}

/** The codes and the kind of a refusal, or undefined when they are not literals. */
function refusalOf(node: ts.CallExpression | ts.NewExpression, shape: 'object' | 'code') {
  const [argument] = node.arguments ?? [];
  if (!argument) return undefined;
  if (shape === 'code') {
    const codes = literals(argument);
    return codes && { codes, kinds: ['invalid'] };
  }
  if (!ts.isObjectLiteralExpression(argument)) return undefined;
  const property = (name: string) => {
    for (const member of argument.properties) {
      if (ts.isPropertyAssignment(member) && member.name.getText() === name) {
        return literals(member.initializer);
      }
    }
    return undefined;
  };
  const [codes, kinds] = [property('code'), property('kind')];
  return codes && kinds && { codes, kinds };
}

function scanRefusals(file: string, source: string, found: Found): void {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  // Local names of the refusing functions, renamed imports included.
  const refusers = new Map<string, 'object' | 'code'>(Object.entries(REFUSERS));
  for (const statement of sourceFile.statements) {
    const bindings = ts.isImportDeclaration(statement)
      ? statement.importClause?.namedBindings
      : undefined;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      const shape = REFUSERS[imported as keyof typeof REFUSERS];
      if (shape) refusers.set(element.name.text, shape);
    }
  }
  const visit = (node: ts.Node, inside: string | undefined): void => {
    const name = ts.isFunctionDeclaration(node) ? node.name?.text : inside;
    // The refusers themselves pass their caller's code on.
    const forwarding = name !== undefined && name in REFUSERS;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && !forwarding) {
      const callee = ts.isIdentifier(node.expression) ? node.expression.text : undefined;
      const shape = callee === undefined ? undefined : refusers.get(callee);
      if (shape) {
        const where = `${file}:${sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const refusal = refusalOf(node, shape);
        if (!refusal) found.unreadable.push(`${where} ${node.getText().slice(0, 80)}`);
        for (const code of refusal?.codes ?? []) {
          for (const kind of refusal?.kinds ?? []) found.refusals.push({ code, kind, where });
        }
      }
    }
    ts.forEachChild(node, (child) => visit(child, name));
  };
  visit(sourceFile, undefined);
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? typeScriptFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

function domainRefusals(): Found {
  const found: Found = { refusals: [], unreadable: [] };
  for (const path of typeScriptFiles(join(root, 'src/domain'))) {
    scanRefusals(relative(root, path), readFileSync(path, 'utf8'), found);
  }
  return found;
}

describe('refusal codes', () => {
  it('are each registered in some module’s problems, with the status of their kind', () => {
    const { refusals, unreadable } = domainRefusals();
    expect(
      unreadable,
      'give refusals a literal code and kind (or conditionals of literals)',
    ).toEqual([]);
    const registered = new Map(
      modules.flatMap((module) => module.problems.map((type) => [type.slug, type.status] as const)),
    );
    const wrong = refusals
      .filter(
        ({ code, kind }) =>
          registered.get(slugOfCode(code)) !== statusOfKind(kind as DomainRefusal['kind']),
      )
      .map(({ code, kind, where }) => `${code} (${kind}, ${where})`);
    expect(wrong, 'register these codes, with their kind, in their module’s `problems`').toEqual(
      [],
    );
  });

  it('are all found by the scan, conditional ones included', () => {
    const codes = new Set(domainRefusals().refusals.map((refusal) => refusal.code));
    expect([...codes]).toEqual(
      expect.arrayContaining([
        'InvalidJournalEntry',
        'PeriodClosed',
        'CustomerNotFound',
        'InvoiceAlreadyPaid',
        'PaymentExceedsOutstanding',
      ]),
    );
    expect(codes.size).toBeGreaterThanOrEqual(25);
  });

  it('scan reads literal, renamed and conditional codes, and flags a computed one', () => {
    const found: Found = { refusals: [], unreadable: [] };
    scanRefusals(
      'probe.ts',
      `import { refuse as deny, refuseInvalid, DomainError } from '../shared/errors.js';
       deny({ kind: 'conflict', code: 'A', message: '' });
       refuseInvalid(paid ? ('B' as const) : 'C', []);
       throw new DomainError({ kind: 'not_found', code: \`D\`, message: '' });
       refuse({ kind: 'conflict', code: codeOf(x), message: '' });
       export function refuseInvalid(code: string) { refuse({ kind: 'invalid', code, message: '' }); }`,
      found,
    );
    expect(found.refusals.map(({ code, kind }) => `${code}:${kind}`)).toEqual([
      'A:conflict',
      'B:invalid',
      'C:invalid',
      'D:not_found',
    ]);
    expect(found.unreadable).toEqual([expect.stringContaining('probe.ts:5 refuse(')]);
  });
});
