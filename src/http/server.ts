import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { platformProblems, type ProblemType } from './problem-types.js';
import { httpProblem } from './problem.js';

/** What Node's HTTP parser refuses before the app sees a request, by its error code. */
const PARSER_REFUSALS: Readonly<Record<string, readonly [ProblemType, string]>> = {
  HPE_HEADER_OVERFLOW: [
    platformProblems.headersTooLarge,
    'The request line and headers together exceed 16 KB',
  ],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [
    platformProblems.bodyTooLarge,
    'The chunk extensions of the body exceed 16 KB',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [
    platformProblems.requestTimeout,
    'The request did not arrive in time: its headers within 60 s, or all of it within 5 minutes',
  ],
};

/**
 * The answer to a request Node could not parse, as problem+json like every other answer (Node's
 * own is a bare status line). The parser has stopped reading, so the connection closes after it.
 */
export function parserProblem(error: Error & { code?: string }): { status: number; text: string } {
  const [type, detail] = PARSER_REFUSALS[error.code ?? ''] ?? [
    platformProblems.badRequest,
    'The request cannot be parsed as HTTP/1.1: a control character in a header, a malformed request line, or a Content-Length that is not one number',
  ];
  const { status, body } = httpProblem(type, detail).response;
  const json = JSON.stringify(body);
  return {
    status,
    text:
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/problem+json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n` +
      'Connection: close\r\n\r\n' +
      json,
  };
}

/**
 * The service's HTTP server: the app, and problem+json answers to what Node's parser refuses.
 * Where nothing can be answered (the client reset the connection, or an answer has begun on the
 * socket) the socket is only closed, as Node would. A request still running on the socket (a
 * valid one before the one that does not parse, pipelined) is answered first: a refusal in its
 * place would tell the client that nothing it sent was done, when that request was.
 */
export function createHttpServer(app: RequestListener): Server {
  const server = createServer(app);
  const running = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    running.set(req.socket, { req, res });
    res.once('close', () => {
      if (running.get(req.socket)?.res === res) running.delete(req.socket);
    });
  });
  server.on(
    'clientError',
    (error: Error & { code?: string }, socket: Duplex & { bytesWritten?: number }) => {
      const inFlight = running.get(socket);
      // A request whose own body did not parse has failed itself: it is refused, as below.
      if (inFlight?.req.complete) {
        inFlight.res.shouldKeepAlive = false;
        inFlight.res.once('close', () => socket.destroy());
        return;
      }
      if (error.code === 'ECONNRESET' || !socket.writable || (socket.bytesWritten ?? 0) > 0) {
        socket.destroy();
        return;
      }
      socket.end(parserProblem(error).text);
    },
  );
  return server;
}
