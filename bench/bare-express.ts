/**
 * The baseline server of the service benchmark, run as a child process: express 5 with its JSON
 * body parser and nothing else. `POST /echo` parses the body and answers 201 with a small JSON
 * document, `GET /echo` answers 200 with one; the port it listens on is written to stdout.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';

const app = express();
app.use(express.json());
app.post('/echo', (req, res) => {
  const body = req.body as { description?: unknown } | undefined;
  res.status(201).json({ received: true, description: body?.description ?? null });
});
app.get('/echo', (_req, res) => {
  res.status(200).json({ code: '1000', balance: '0.00' });
});
const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
