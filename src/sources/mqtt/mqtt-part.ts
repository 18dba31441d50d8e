// The MQTT part of the gateway, in start order: the embedded broker (if configured) with the devices' credentials
// and ACLs, the MQTT source as a client of that broker (loopback, internal credential) or of the external one,
// and the external broker's log. It tells where devices connect (deviceEndpoint) for the simulated ones, which
// src/simulators/simulators.ts starts with the Modbus ones. stop() undoes the start in reverse.
import { randomBytes } from 'node:crypto';
import type { Site } from '../../config/load.ts';
import { readSiteFile } from '../../config/site-files.ts';
import { defaultMaxPayloadBytes, reservedMqttUsernames } from '../../config/mqtt-schema.ts';
import { pinnedClientIds } from '../../config/mqtt-site.ts';
import type { Clock } from '../../core/clock.ts';
import type { DeviceStatus } from '../../core/bus.ts';
import type { Logger } from '../../core/logger.ts';
import { stopParts, type Part, type Stoppable } from '../../core/part.ts';
import type { Reading } from '../../core/reading.ts';
import type { MqttDiagnosticsView } from '../../contract/api.ts';
import { createDeviceAccess } from '../../broker/device-access.ts';
import { createEmbeddedBroker, type BrokerPorts, type EmbeddedBroker } from '../../broker/embedded-broker.ts';
import { createMosquittoLog, type MosquittoLog } from '../../broker/mosquitto-log.ts';
import { createMqttSource, type MqttSource } from './mqtt-source.ts';

/** Where MQTT devices connect: the devices' own listener (not the gateway's loopback one), with what a client needs to trust it. */
export interface DeviceEndpoint {
  url: string;
  clientOptions: { ca?: Buffer; rejectUnauthorized?: boolean };
}

export interface MqttPart extends Part {
  /** Set once started (embedded broker only). */
  readonly brokerPorts: BrokerPorts | null;
  readonly source: MqttSource | null;
  /** Set once started; null without a broker or when the embedded broker has no listener for devices. */
  readonly deviceEndpoint: DeviceEndpoint | null;
  diagnostics(): MqttDiagnosticsView;
}

export interface MqttPartOptions {
  site: Site;
  clock: Clock;
  logger: Logger;
  /** Test override of the embedded broker's port (0 = any free port). */
  brokerPort?: number;
  emit(readings: Reading[]): void;
  onStatus(status: DeviceStatus): void;
}

export function createMqttPart(options: MqttPartOptions): MqttPart {
  const { site, clock, logger } = options;
  const cfg = site.config.broker;
  const maxPayloadBytes = cfg?.maxPayloadBytes ?? defaultMaxPayloadBytes;
  const stops: Stoppable[] = [];
  let broker: EmbeddedBroker | null = null;
  let brokerLog: MosquittoLog | null = null;
  let brokerPorts: BrokerPorts | null = null;
  let source: MqttSource | null = null;
  let url: string | undefined;
  let deviceEndpoint: DeviceEndpoint | null = null;
  let credentials: { username?: string; password?: string } = {};
  let clientOptions: { ca?: Buffer } = {};
  const clientId = cfg?.external?.clientId ?? `roomwatch-${site.config.site.id}`;

  const stop = (): Promise<void> => stopParts(stops, logger);

  const readPem = (file: string, path: string): Buffer => readSiteFile(site, file, path);

  const start = async (): Promise<void> => {
    try {
      if (cfg?.embedded) {
        const e = cfg.embedded;
        const internal = { username: reservedMqttUsernames[0]!, password: randomBytes(24).toString('base64url') };
        const tls = e.tls ? { port: e.tls.port, cert: readPem(e.tls.cert, '/broker/embedded/tls/cert'), key: readPem(e.tls.key, '/broker/embedded/tls/key') } : undefined;
        const b = createEmbeddedBroker({
          host: e.host ?? '127.0.0.1',
          // The config check allows a port with TLS only with plainAlongsideTls; the test override moves the plain port.
          port: e.port === undefined ? null : (options.brokerPort ?? e.port),
          ...(tls ? { tls } : {}),
          ...(e.websocket ? { websocket: { port: e.websocket.port } } : {}),
          access: createDeviceAccess(site.mqttDevices, internal),
          gatewayClientIds: [clientId, `${clientId}-log`, `${clientId}-log-probe`],
          pinnedClientIds: pinnedClientIds(site.mqttDevices),
          ...(cfg.maxConnectionsPerLogin !== undefined ? { maxConnectionsPerLogin: cfg.maxConnectionsPerLogin } : {}),
          maxPayloadBytes,
          clock,
          logger: logger.child({ part: 'broker' }),
        });
        brokerPorts = await b.start();
        broker = b;
        stops.push({ name: 'mqtt broker', stop: () => b.stop() });
        // The gateway's own client uses its loopback listener, so it needs neither the plain port nor a certificate.
        url = `mqtt://127.0.0.1:${brokerPorts.gateway}`;
        const host = e.host === undefined || e.host === '0.0.0.0' || e.host === '::' ? '127.0.0.1' : e.host;
        const h = host.includes(':') ? `[${host}]` : host;
        if (brokerPorts.mqtt !== null) deviceEndpoint = { url: `mqtt://${h}:${brokerPorts.mqtt}`, clientOptions: {} };
        else if (brokerPorts.tls !== null && tls) {
          // Simulated devices (demo) trust the broker's own certificate; its name need not be the loopback address.
          deviceEndpoint = { url: `mqtts://${h}:${brokerPorts.tls}`, clientOptions: { ca: tls.cert, rejectUnauthorized: false } };
        }
        credentials = internal;
      } else if (cfg?.external) {
        url = cfg.external.url;
        credentials = { ...(cfg.external.username !== undefined ? { username: cfg.external.username } : {}), ...(cfg.external.password !== undefined ? { password: cfg.external.password } : {}) };
        if (cfg.external.ca !== undefined) clientOptions = { ca: readPem(cfg.external.ca, '/broker/external/ca') };
        deviceEndpoint = { url, clientOptions };
      }

      if (url !== undefined && site.mqttDevices.length > 0) {
        const s = createMqttSource({
          devices: site.mqttDevices,
          url,
          ...credentials,
          clientId,
          maxPayloadBytes,
          clock,
          logger: logger.child({ part: 'mqtt' }),
          emit: options.emit,
          onStatus: options.onStatus,
          clientOptions,
        });
        await s.start();
        source = s;
        stops.push({ name: 'mqtt source', stop: () => s.stop() });
      }

      if (url !== undefined && cfg?.external?.brokerLog === 'mosquitto') {
        const l = createMosquittoLog({ url, ...credentials, clientId, clientOptions, clock, logger: logger.child({ part: 'broker-log' }) });
        await l.start();
        brokerLog = l;
        stops.push({ name: 'mqtt broker log', stop: () => l.stop() });
      }
    } catch (err) {
      await stop();
      throw err;
    }
  };

  return {
    name: 'mqtt',
    get brokerPorts() {
      return brokerPorts;
    },
    get source() {
      return source;
    },
    get deviceEndpoint() {
      return deviceEndpoint;
    },
    start,
    diagnostics() {
      const heard = source?.diagnostics();
      const stats = broker?.stats() ?? brokerLog?.stats();
      const byDevice = new Map(heard?.devices.map((d) => [d.deviceId, d]));
      return {
        broker: broker ? 'embedded' : url !== undefined ? 'external' : 'none',
        connected: heard?.connected ?? false,
        reconnects: heard?.reconnects ?? 0,
        unrouted: heard?.unrouted ?? 0,
        refusedTotal: stats?.total ?? null,
        devices: site.mqttDevices.map((d) => {
          const h = byDevice.get(d.config.id);
          return {
            deviceId: d.config.id,
            username: d.config.connection.username,
            online: h?.online ?? null,
            messages: h?.messages ?? 0,
            readings: h?.readings ?? 0,
            malformed: h?.malformed ?? 0,
            ignored: h?.ignored ?? 0,
            lastError: h?.lastError ?? null,
            lastErrorAt: h?.lastErrorAt ?? null,
            lastMessageAt: h?.lastMessageAt ?? null,
            refused: stats?.of(d.config.connection.username) ?? null,
          };
        }),
      };
    },
    stop,
  };
}
