/**
 * An in-process EventStoreDB test server: it speaks EventStoreDB's gRPC protocol (the client
 * package's own generated service definitions) over an in-memory log, for tests only.
 * See README.md in this folder for what it implements and the semantics it follows.
 */
import { randomUUID } from 'node:crypto';
import type { IServerFeaturesServer } from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import { EventLog } from './event-log.js';
import {
  grpc,
  serverFeaturesGrpc,
  serverFeaturesPb,
  streamsGrpc,
  type GrpcJs,
} from './protocol.js';
import { streamsHandlers, type OpenCalls } from './streams-service.js';

export interface EsdbTestServer {
  /** Connection string for the client, e.g. esdb://127.0.0.1:PORT?tls=false */
  readonly connectionString: string;
  /** Stops serving abruptly, as a crashed/unreachable server: open calls (reads, subscriptions, appends) fail with UNAVAILABLE; data is kept. */
  stop(): Promise<void>;
  /** Serves again on the same port with the same data (after stop()). */
  start(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

export interface EsdbTestServerOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one, kept across stop() and start(). */
  readonly port?: number;
  /** Reported by ServerFeatures; EventStoreDB 24.10 by default. */
  readonly serverVersion?: string;
  readonly features?: {
    /**
     * Serve and advertise Streams.BatchAppend (default true), as servers since 21.10 do. Clients
     * then append through it; false makes them use Streams.Append, as with older servers.
     */
    readonly batchAppend?: boolean;
  };
  /**
   * Write a system event (`$epoch-information`) each time the server starts (default true), so
   * `$all` holds events that are not the application's, as on a real server.
   */
  readonly systemEvents?: boolean;
  /**
   * Answer an idempotent retry with the position of the write it repeats (default true, as
   * recent servers do); false answers without one, as older servers did.
   */
  readonly idempotentRetryPosition?: boolean;
  /**
   * Where the log starts (default 0). A long-lived production log has positions past 2^53; a
   * test can start there to prove positions survive without loss.
   */
  readonly firstPosition?: bigint;
  /** EventStoreDB's default maximum append size is 1 MiB. */
  readonly maxAppendSize?: number;
}

const HOST = '127.0.0.1';
/** A server stopping waits this long for its calls to end before cutting connections. */
const SHUTDOWN_GRACE_MS = 1_000;

export async function startEsdbTestServer(
  options: EsdbTestServerOptions = {},
): Promise<EsdbTestServer> {
  const log = new EventLog(options.firstPosition);
  const openCalls: OpenCalls = new Set();
  const batchAppend = options.features?.batchAppend ?? true;
  const streams = streamsHandlers(
    log,
    {
      maxAppendSize: options.maxAppendSize ?? 1_048_576,
      idempotentRetryPosition: options.idempotentRetryPosition ?? true,
    },
    openCalls,
  );
  const { batchAppend: batchAppendHandler, ...streamsWithoutBatchAppend } = streams;
  const supportedMethods = supportedMethodsMessage(options.serverVersion ?? '24.10.0', batchAppend);

  let port = options.port ?? 0;
  let server: GrpcJs.Server | undefined;
  let closed = false;
  let epochNumber = 0;

  async function serve(): Promise<void> {
    // A node writes an epoch record to its log on every start, and recent versions an event too.
    const epochPosition = log.writeEpoch();
    if (options.systemEvents ?? true) {
      const data = {
        epochNumber: epochNumber++,
        epochId: randomUUID(),
        epochPosition: Number(epochPosition),
      };
      log.append('$epoch-information', 'any', [
        {
          id: randomUUID(),
          type: '$epoch-information',
          isJson: true,
          data: Buffer.from(JSON.stringify(data)),
          metadata: new Uint8Array(),
        },
      ]);
    }
    const next = new grpc.Server();
    const features: IServerFeaturesServer = {
      getSupportedMethods: (_call, callback) => callback(null, supportedMethods),
    };
    next.addService(serverFeaturesGrpc.ServerFeaturesService, features);
    // Methods left out (Delete, Tombstone, BatchAppend when disabled) and services never added
    // (Gossip, Projections, PersistentSubscriptions, ...) answer UNIMPLEMENTED.
    next.addService(
      streamsGrpc.StreamsService,
      batchAppend
        ? { ...streamsWithoutBatchAppend, batchAppend: batchAppendHandler }
        : streamsWithoutBatchAppend,
    );
    port = await new Promise<number>((resolve, reject) =>
      next.bindAsync(`${HOST}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    server = next;
  }

  async function stopServing(): Promise<void> {
    const stopping = server;
    if (!stopping) return;
    server = undefined;
    // Every open call fails as it would against a server that went away ...
    for (const abort of [...openCalls]) abort();
    // ... and the listener and connections close.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        stopping.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      stopping.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  await serve();

  return {
    connectionString: `esdb://${HOST}:${port}?tls=false`,
    stop: stopServing,
    async start() {
      if (closed) throw new Error('The test server is closed.');
      if (!server) await serve();
    },
    async close() {
      closed = true;
      await stopServing();
    },
  };
}

/** What ServerFeatures.GetSupportedMethods answers: the methods implemented here. */
function supportedMethodsMessage(version: string, batchAppend: boolean) {
  const method = (service: string, name: string, features: string[] = []) =>
    new serverFeaturesPb.SupportedMethod()
      .setServiceName(service)
      .setMethodName(name)
      .setFeaturesList(features);
  const streams = 'event_store.client.streams.streams';
  return new serverFeaturesPb.SupportedMethods()
    .setEventStoreServerVersion(version)
    .setMethodsList([
      method(streams, 'read', ['position', 'events']),
      method(streams, 'append'),
      ...(batchAppend ? [method(streams, 'batchappend')] : []),
      method('event_store.client.server_features.serverfeatures', 'getsupportedmethods'),
    ]);
}
