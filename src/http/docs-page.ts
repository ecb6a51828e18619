/**
 * A self-contained page rendering the OpenAPI document: no CDN, no script, so it works on a
 * machine without internet access and cannot be turned into an injection vector.
 */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  'x-scopes'?: readonly string[];
  parameters?: readonly { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses?: Record<string, { description: string } | { $ref: string }>;
}

type DocumentedResponse = { description: string } | { $ref: string };

export function renderDocsPage(document: {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { responses?: Readonly<Record<string, { description: string }>> };
}): string {
  // Answers shared by every operation are references into components.responses.
  const described = (response: DocumentedResponse) =>
    '$ref' in response
      ? (document.components?.responses?.[response.$ref.split('/').at(-1)!]?.description ?? '')
      : response.description;
  const sections = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, raw]) => {
      const op = raw as Operation;
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)}${p.required ? ', required' : ''})${p.description ? ` — ${escapeHtml(p.description)}` : ''}</li>`,
        )
        .join('');
      const body = op.requestBody
        ? `<details><summary>Request body</summary><pre>${escapeHtml(JSON.stringify(op.requestBody.content['application/json']?.schema, null, 2))}</pre></details>`
        : '';
      const responses = Object.entries(op.responses ?? {})
        .map(
          ([status, r]) =>
            `<li><code>${escapeHtml(status)}</code> ${escapeHtml(described(r))}</li>`,
        )
        .join('');
      return `<section><h2><span class="m">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(op.summary ?? '')}</p>${op.description ? `<p>${escapeHtml(op.description)}</p>` : ''}
<p>Scopes: ${escapeHtml((op['x-scopes'] ?? []).join(', ') || 'none')}</p>
<ul>${params}</ul>${body}<h3>Responses</h3><ul>${responses}</ul></section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}section{border-top:1px solid #ccc;padding:.5rem 0}.m{font-family:monospace;background:#eef;padding:0 .3rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style></head>
<body><h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description ?? '')}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>
${sections.join('\n')}</body></html>`;
}
