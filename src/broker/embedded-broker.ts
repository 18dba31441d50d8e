// The embedded MQTT broker (aedes) on which fire-alarm and CCTV contacts publish. Deny by default (style.md §9):
// - CONNECT without credentials or with wrong ones is refused (CONNACK 5 "not authorized" / 4 "bad user name or
//   password", MQTT 3.1.1 §3.2.2.3);
// - a PUBLISH outside the device's ACL or to a $-topic (§4.7.2) is dropped: MQTT 3.1.1 has no negative PUBACK, and
//   §3.3.5 lets the server either acknowledge it as usual or close the connection. We acknowledge and deliver it to
//   nobody (as Mosquitto does), so a real Tasmota or Zigbee2MQTT that also publishes discovery or bridge topics
//   is not cut off and flapping through its will; the drop is counted;
// - a PUBLISH larger than maxPayloadBytes closes the connection (§3.3.5; a packet announcing more is stopped at its
//   header, before it is buffered), which also fires the device's will. A device's profile may allow more on its own
//   named topics (payloadLimits: Zigbee2MQTT's bridge/devices is 20–200 KiB), never more than it names;
// - a SUBSCRIBE outside the ACL gets return code 0x80 "failure" for that filter (§3.9.3) and the client stays.
// - a client id is bound to the login that holds it (MQTT 3.1.1 §3.1.4 lets a CONNECT with a connected client's id
//   take over its session, closing it and firing its will): a login presenting a client id another login holds, or
//   one the config pins to another login, is refused with CONNACK 2 "identifier rejected" before aedes looks at the
//   holder, so the legitimate device stays connected and its will stays unsent;
// - a login may hold at most maxConnectionsPerLogin connections at once; more are refused (CONNACK 5).
// Every refusal is counted per username (diagnostics API) and logged with a rate limit (refusals.ts).
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { Aedes, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger } from '../core/logger.ts';
import type { Clock } from '../core/clock.ts';
import type { BrokerIdentity, DeviceAccess } from './device-access.ts';
import { createRefusalCounter, type BrokerStats } from './refusals.ts';
import { defaultMaxConnectionsPerLogin } from '../config/mqtt-schema.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  /** Plain MQTT on `host`; null: none (TLS only). */
  port: number | null;
  /** MQTT over TLS: PEM certificate and key (already read). */
  tls?: { port: number; cert: Buffer; key: Buffer };
  /** MQTT over websocket (MQTT 3.1.1 §6: subprotocol "mqtt"). */
  websocket?: { port: number };
  access: DeviceAccess;
  /** Client ids only the gateway may use: a device using one would take over the gateway's session (§3.1.4). */
  gatewayClientIds?: readonly string[];
  /** Client ids the config pins to a login: only that login may use them (and, if it pins any, only those). */
  pinnedClientIds?: ReadonlyMap<string, string>;
  /** Connections one device login may hold at once; default defaultMaxConnectionsPerLogin. */
  maxConnectionsPerLogin?: number;
  maxPayloadBytes: number;
  clock: Clock;
  logger: Logger;
}

export interface BrokerPorts {
  /** Plain MQTT for devices, or null when the site has TLS only. */
  mqtt: number | null;
  tls: number | null;
  websocket: number | null;
  /** Plain MQTT on 127.0.0.1 for the gateway's own client only (devices are refused on it). */
  gateway: number;
}

export interface EmbeddedBroker {
  start(): Promise<BrokerPorts>;
  stop(): Promise<void>;
  stats(): BrokerStats;
}

const IDENTIFIER_REJECTED = 2; // CONNACK return codes, MQTT 3.1.1 §3.2.2.3
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/** Where a refused PUBLISH goes: nowhere anyone can subscribe. */
const DROPPED_TOPIC = '$roomwatch/dropped';

/** Room for the topic and packet id around the largest accepted payload (a topic is at most 65,535 bytes, §1.5.3). */
const PACKET_OVERHEAD = 1024;

/**
 * aedes reads a whole packet before any hook sees it, so a client could make the broker buffer megabytes before
 * authorizePublish refuses them. This stops a packet as soon as its fixed header announces a Remaining Length over
 * the limit (MQTT 3.1.1 §2.2.3). aedes has no public hook before parsing: it wraps the client's mqtt-packet parser,
 * checked at run time, so a changed aedes loses only the early stop (authorizePublish still refuses and counts).
 */
function guardPacketSize(client: Client, maxBytes: (cmd: string | undefined) => number, onOversize: (bytes: number, cmd: string | undefined) => void): boolean {
  const parser = (client as unknown as { _parser?: { parse?: (buf: Buffer) => number; packet?: { length?: number; cmd?: string } } })._parser;
  if (!parser || typeof parser.parse !== 'function') return false;
  const parse = parser.parse.bind(parser);
  let stopped = false;
  parser.parse = (buf: Buffer): number => {
    if (stopped) return 0;
    const left = parse(buf);
    const announced = parser.packet?.length ?? -1;
    if (announced > maxBytes(parser.packet?.cmd)) {
      stopped = true;
      onOversize(announced, parser.packet?.cmd);
      client.close();
    }
    return left;
  };
  return true;
}

/** How many client ids the broker remembers the login of once they disconnect (oldest forgotten first). */
const REMEMBERED_CLIENT_IDS = 10_000;

/** CONNECT, SUBSCRIBE and the rest from a device: generous, but bounded (the gateway's own SUBSCRIBE is not). */
const OTHER_PACKET_MAX = 64 * 1024;

export function createEmbeddedBroker(options: EmbeddedBrokerOptions): EmbeddedBroker {
  const { logger, access } = options;
  const { refuse, stats } = createRefusalCounter({ clock: options.clock, logger, isKnown: (u) => access.knows(u) });
  const identities = new WeakMap<Client, BrokerIdentity>();
  const maxConnections = options.maxConnectionsPerLogin ?? defaultMaxConnectionsPerLogin;
  /** Client id → the login that holds it: pinned by the config, or the first login seen with it. */
  const holders = new Map<string, string>(options.pinnedClientIds);
  const pinnedLogins = new Set(options.pinnedClientIds?.values());
  /** Login → its connected clients by client id. */
  const connected = new Map<string, Map<string, Client>>();
  /** Streams of the gateway's loopback listener: only the gateway's own login is let in there. */
  const gatewayStreams = new WeakSet<object>();
  let broker: Aedes | undefined;
  const servers: (Server | HttpServer)[] = [];
  let wss: WebSocketServer | undefined;

  const listen = (server: Server | HttpServer, port: number, host = options.host): Promise<number> =>
    new Promise<number>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        const address = server.address();
        ok(typeof address === 'object' && address ? address.port : port);
      });
    });

  /** Why this login may not use this client id, or null. */
  const clientIdClash = (username: string, clientId: string): string | null => {
    if (options.gatewayClientIds?.includes(clientId)) return 'client id reserved for the gateway';
    const holder = holders.get(clientId);
    if (holder !== undefined && holder !== username) return `client id held by another login`;
    if (holder === undefined && pinnedLogins.has(username)) return 'this login may use only the client ids the config gives it';
    return null;
  };

  const hold = (username: string, client: Client): void => {
    if (client.closed) return; // gone while its password was checked: its stream's close has passed already
    holders.delete(client.id); // re-inserted last: the most recently used ids are remembered longest
    holders.set(client.id, username);
    const mine = connected.get(username) ?? new Map<string, Client>();
    mine.set(client.id, client);
    connected.set(username, mine);
    // Forget the oldest ids nobody holds now and the config does not pin (random ids must not grow the map).
    for (const [id, login] of holders) {
      if (holders.size <= REMEMBERED_CLIENT_IDS) break;
      if (!options.pinnedClientIds?.has(id) && !connected.get(login)?.has(id)) holders.delete(id);
    }
  };

  const release = (client: Client): void => {
    const who = identities.get(client);
    if (who?.kind !== 'device') return;
    const mine = connected.get(who.username);
    // A newer connection with the same id may have replaced this one already.
    if (mine?.get(client.id) === client) mine.delete(client.id);
  };

  return {
    async start() {
      broker = await Aedes.createBroker({
        authenticate: (client, username, password, done) => {
          const refuseWith = (code: number, message: string): void => done(Object.assign(new Error(message), { returnCode: code }), false);
          access.authenticate(username, password).then(
            (who) => {
              if (!who) {
                refuse(username === undefined ? 'anonymous' : 'badCredentials', username, { clientId: client.id });
                return refuseWith(username === undefined ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD, 'not authorized');
              }
              if (who.kind !== 'gateway' && gatewayStreams.has(client.conn)) {
                refuse('badCredentials', username, { clientId: client.id, reason: 'the loopback listener is for the gateway only' });
                return refuseWith(NOT_AUTHORIZED, 'not authorized');
              }
              if (who.kind === 'device') {
                const clash = clientIdClash(who.username, client.id);
                if (clash) {
                  refuse('clientIdTaken', who.username, { clientId: client.id, reason: clash });
                  return refuseWith(IDENTIFIER_REJECTED, 'identifier rejected');
                }
                const others = [...(connected.get(who.username)?.keys() ?? [])].filter((id) => id !== client.id);
                if (others.length >= maxConnections) {
                  refuse('tooManyConnections', who.username, { clientId: client.id, max: maxConnections });
                  return refuseWith(NOT_AUTHORIZED, 'too many connections');
                }
                hold(who.username, client);
              }
              identities.set(client, who);
              done(null, true);
            },
            (err: unknown) => refuseWith(NOT_AUTHORIZED, String(err)),
          );
        },
        authorizePublish: (client, packet, done) => {
          const who = client ? identities.get(client) : undefined;
          const username = who?.username;
          const max = access.maxPayload(who, options.maxPayloadBytes, packet.topic);
          if (packet.payload.length > max) {
            refuse('oversize', username, { topic: packet.topic, bytes: packet.payload.length, max });
            return done(new Error(`payload of ${packet.payload.length} bytes is over the limit of ${max}`));
          }
          if (!who || !access.canPublish(who, packet.topic)) {
            refuse('publishDenied', username, { topic: packet.topic });
            // Acknowledged but delivered to nobody and never retained: no filter matches a $-topic by wildcard
            // (§4.7.2) and nobody may subscribe to one here.
            packet.topic = DROPPED_TOPIC;
            packet.retain = false;
            packet.payload = Buffer.alloc(0);
          }
          done(null);
        },
        authorizeSubscribe: (client, sub, done) => {
          const who = client ? identities.get(client) : undefined;
          if (!who || !access.canSubscribe(who, sub.topic)) {
            refuse('subscribeDenied', who?.username, { topic: sub.topic });
            return done(null, null); // SUBACK 0x80 for this filter (§3.9.3)
          }
          done(null, sub);
        },
      });
      const b = broker;
      let guarded = true;
      const handle = (stream: Parameters<Aedes['handle']>[0], req?: Parameters<Aedes['handle']>[1], gatewayOnly = false): void => {
        if (gatewayOnly) gatewayStreams.add(stream);
        const client = b.handle(stream, req);
        stream.once('close', () => release(client));
        const limit = (cmd: string | undefined): number =>
          cmd === 'publish' ? access.maxPayload(identities.get(client), options.maxPayloadBytes) + PACKET_OVERHEAD : identities.get(client)?.kind === 'gateway' ? Infinity : OTHER_PACKET_MAX;
        const ok = guardPacketSize(client, limit, (bytes, cmd) =>
          refuse('oversize', identities.get(client)?.username, { clientId: client.id ?? null, packet: cmd ?? null, bytes, max: limit(cmd), early: true }),
        );
        if (!ok && guarded) {
          guarded = false;
          logger.warn('aedes parser not found: oversize packets are refused only after they are read');
        }
      };
      const ports: BrokerPorts = { mqtt: null, tls: null, websocket: null, gateway: 0 };
      const internal = createTcpServer((socket) => handle(socket, undefined, true));
      servers.push(internal);
      ports.gateway = await listen(internal, 0, '127.0.0.1');
      if (options.port !== null) {
        const tcp = createTcpServer((socket) => handle(socket));
        servers.push(tcp);
        ports.mqtt = await listen(tcp, options.port);
      }
      if (options.tls) {
        const tls = createTlsServer({ cert: options.tls.cert, key: options.tls.key }, (socket) => handle(socket));
        servers.push(tls);
        ports.tls = await listen(tls, options.tls.port);
      }
      if (options.websocket) {
        const http = createHttpServer((_req, res) => res.writeHead(426).end('MQTT over websocket only'));
        servers.push(http);
        wss = new WebSocketServer({ server: http, maxPayload: access.largestPayload(options.maxPayloadBytes) + PACKET_OVERHEAD });
        wss.on('connection', (ws, req) => handle(createWebSocketStream(ws), req));
        ports.websocket = await listen(http, options.websocket.port);
      }
      logger.info('mqtt broker listening', { host: options.host, ...ports, maxPayloadBytes: options.maxPayloadBytes });
      return ports;
    },
    async stop() {
      // The broker first: it disconnects the clients, so the listeners' close does not wait on them.
      if (broker) await new Promise<void>((done) => broker!.close(() => done()));
      wss?.close();
      await Promise.all(servers.map((s) => new Promise<void>((done) => s.close(() => done()))));
      servers.length = 0;
      connected.clear();
      broker = undefined;
      wss = undefined;
    },
    stats,
  };
}
