// The embedded MQTT broker (aedes) on which fire-alarm and CCTV contacts will publish.
// Deny by default (style.md §9): a client must authenticate, and publishes to $SYS are refused
// (MQTT 3.1.1 §4.7.2: topics starting with $ are the server's). Per-device credentials and topic
// ACLs arrive with the MQTT sources; until then no device is configured, so every client is refused.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from '../core/logger.ts';

export interface BrokerCredentials {
  /** Checks a client's username and password; true lets it connect. */
  check(username: string | undefined, password: Buffer | undefined): boolean;
}

export interface EmbeddedBroker {
  start(): Promise<number>;
  stop(): Promise<void>;
}

const BAD_USERNAME_OR_PASSWORD = 4; // CONNACK return code, MQTT 3.1.1 §3.2.2.3
const NOT_AUTHORIZED = 5;

export function createEmbeddedBroker(deps: {
  host: string;
  port: number;
  credentials: BrokerCredentials;
  logger: Logger;
}): EmbeddedBroker {
  const { logger } = deps;
  let broker: Aedes | undefined;
  let server: Server | undefined;
  return {
    async start() {
      broker = await Aedes.createBroker({
        authenticate: (client, username, password, done) => {
          if (deps.credentials.check(username, password)) return done(null, true);
          logger.warn('mqtt client refused', { clientId: client.id, username: username ?? null });
          const err = Object.assign(new Error('bad username or password'), {
            returnCode: username === undefined ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD,
          });
          done(err, false);
        },
        authorizePublish: (client, packet, done) => {
          if (packet.topic.startsWith('$')) return done(new Error('$-topics are reserved for the broker'));
          done(null);
        },
      });
      const b = broker;
      server = createServer((socket) => b.handle(socket));
      await new Promise<void>((ok, fail) => {
        server!.once('error', fail);
        server!.listen(deps.port, deps.host, () => ok());
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : deps.port;
      logger.info('mqtt broker listening', { host: deps.host, port });
      return port;
    },
    async stop() {
      // The broker first: it disconnects the clients, so the listener's close does not wait on them.
      if (broker) await new Promise<void>((done) => broker!.close(() => done()));
      if (server) await new Promise<void>((done) => server!.close(() => done()));
      server = undefined;
      broker = undefined;
    },
  };
}
