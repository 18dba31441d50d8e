// Wires the MQTT half of the gateway in start order: the embedded broker (if configured) with the devices'
// credentials and ACLs, the MQTT source as a client of that broker (loopback, internal credential) or of the
// external one, then the simulated devices. Called by the composition root; stop() undoes it in reverse.
import { randomBytes } from 'node:crypto';
import type { Site } from '../../config/load.ts';
import { readSiteFile } from '../../config/site-files.ts';
import { defaultMaxPayloadBytes, reservedMqttUsernames } from '../../config/mqtt-schema.ts';
import { pinnedClientIds } from '../../config/mqtt-site.ts';
import type { Clock } from '../../core/clock.ts';
import type { DeviceStatus } from '../../core/bus.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { MqttDiagnosticsView } from '../../contract/api.ts';
import { createDeviceAccess } from '../../broker/device-access.ts';
import { createEmbeddedBroker, type BrokerPorts, type EmbeddedBroker } from '../../broker/embedded-broker.ts';
import { createMosquittoLog, type MosquittoLog } from '../../broker/mosquitto-log.ts';
import { startMqttSimulator, type MqttSimulator } from '../../simulators/mqtt-simulator.ts';
import { createMqttSource, type MqttSource } from './mqtt-source.ts';

export interface MqttPart {
  brokerPorts: BrokerPorts | null;
  source: MqttSource | null;
  simulators: ReadonlyMap<string, MqttSimulator>;
  diagnostics(): MqttDiagnosticsView;
  stop(): Promise<void>;
}

export interface StartMqttOptions {
  site: Site;
  clock: Clock;
  logger: Logger;
  /** Test override of the embedded broker's port (0 = any free port). */
  brokerPort?: number;
  emit(readings: Reading[]): void;
  onStatus(status: DeviceStatus): void;
}

export async function startMqtt(options: StartMqttOptions): Promise<MqttPart> {
  const { site, clock, logger } = options;
  const cfg = site.config.broker;
  const maxPayloadBytes = cfg?.maxPayloadBytes ?? defaultMaxPayloadBytes;
  const stops: (() => Promise<void>)[] = [];
  const simulators = new Map<string, MqttSimulator>();
  let broker: EmbeddedBroker | null = null;
  let brokerLog: MosquittoLog | null = null;
  let brokerPorts: BrokerPorts | null = null;
  let source: MqttSource | null = null;
  let url: string | undefined;
  /** Where the simulated devices connect: the devices' own listener, not the gateway's. */
  let deviceUrl: string | undefined;
  let deviceClientOptions: { ca?: Buffer; rejectUnauthorized?: boolean } = {};
  let credentials: { username?: string; password?: string } = {};
  let clientOptions: { ca?: Buffer } = {};
  const clientId = cfg?.external?.clientId ?? `roomwatch-${site.config.site.id}`;

  const stop = async (): Promise<void> => {
    while (stops.length > 0) {
      try {
        await stops.pop()!();
      } catch (err) {
        logger.error('mqtt stop failed', { err: String(err) });
      }
    }
  };

  const readPem = (file: string, path: string): Buffer => readSiteFile(site, file, path);

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
      stops.push(() => b.stop());
      // The gateway's own client uses its loopback listener, so it needs neither the plain port nor a certificate.
      url = `mqtt://127.0.0.1:${brokerPorts.gateway}`;
      const host = e.host === undefined || e.host === '0.0.0.0' || e.host === '::' ? '127.0.0.1' : e.host;
      const h = host.includes(':') ? `[${host}]` : host;
      if (brokerPorts.mqtt !== null) deviceUrl = `mqtt://${h}:${brokerPorts.mqtt}`;
      else if (brokerPorts.tls !== null && tls) {
        deviceUrl = `mqtts://${h}:${brokerPorts.tls}`;
        // Simulated devices (demo) trust the broker's own certificate; its name need not be the loopback address.
        deviceClientOptions = { ca: tls.cert, rejectUnauthorized: false };
      }
      credentials = internal;
    } else if (cfg?.external) {
      url = cfg.external.url;
      credentials = { ...(cfg.external.username !== undefined ? { username: cfg.external.username } : {}), ...(cfg.external.password !== undefined ? { password: cfg.external.password } : {}) };
      if (cfg.external.ca !== undefined) clientOptions = { ca: readPem(cfg.external.ca, '/broker/external/ca') };
      deviceUrl = url;
      deviceClientOptions = clientOptions;
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
      stops.push(() => s.stop());
    }

    if (url !== undefined && cfg?.external?.brokerLog === 'mosquitto') {
      const l = createMosquittoLog({ url, ...credentials, clientId, clientOptions, clock, logger: logger.child({ part: 'broker-log' }) });
      await l.start();
      brokerLog = l;
      stops.push(() => l.stop());
    }

    for (const device of site.mqttDevices.filter((d) => d.config.simulate)) {
      const password = device.config.connection.password;
      if (deviceUrl === undefined || password === undefined) continue; // the config check requires both for simulated devices
      const sim = await startMqttSimulator({ device, url: deviceUrl, password, clientOptions: deviceClientOptions, logger: logger.child({ part: 'simulator', device: device.config.id }) });
      simulators.set(device.config.id, sim);
      stops.push(() => sim.stop());
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    brokerPorts,
    source,
    simulators,
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
