// Site-config parts of MQTT: a device's MQTT connection (its topic id and its broker credentials) and the
// broker section (embedded aedes or an external broker by URL). Keys are camelCase like the rest (style.md).
import { Type, type Static } from '@sinclair/typebox';

/** Usernames the gateway keeps for itself (its own client on the embedded broker). */
export const reservedMqttUsernames: readonly string[] = ['roomwatch-gateway'];

export const MqttConnection = Type.Object(
  {
    type: Type.Literal('mqtt'),
    /** What `{id}` stands for in the profile's topics: the Shelly prefix, Tasmota topic, Z2M friendly name, Frigate camera. */
    topicId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^#+/$][^#+]*$' }),
    /** The device's MQTT username on the broker; devices behind one bridge (Z2M, Frigate) may share it. */
    username: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,64}$' }),
    /** scrypt hash made by `npm run hash-password`; required outside demo mode (same rules as users). */
    passwordHash: Type.Optional(Type.String({ pattern: '^scrypt\\$' })),
    /** Plain password: accepted only when site.demo is true. */
    password: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * The MQTT client id this device's login connects with. Given on any device of a login, that login may connect only
     * with the ids given and nobody else may use them; without it a client id belongs to the first login seen with it.
     */
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** No message for this long → offline; overrides the profile's heartbeatSeconds. */
    heartbeatSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600 })),
  },
  { additionalProperties: false },
);
export type MqttConnection = Static<typeof MqttConnection>;

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const EmbeddedBrokerConfig = Type.Object(
  {
    host: Type.Optional(Type.String()),
    /** Plain MQTT over TCP (1883 by convention). With `tls` only if plainAlongsideTls is true. */
    port: Type.Optional(Port),
    /** MQTT over TLS (port 8883 by convention) with PEM files, relative to the site file. */
    tls: Type.Optional(
      Type.Object({ port: Port, cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    ),
    /** Plain MQTT next to TLS, for devices that cannot do TLS: their passwords cross the LAN in clear. Default false. */
    plainAlongsideTls: Type.Optional(Type.Boolean()),
    /** MQTT over websocket (plain ws://; put a TLS proxy in front for wss://). */
    websocket: Type.Optional(Type.Object({ port: Port }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type EmbeddedBrokerConfig = Static<typeof EmbeddedBrokerConfig>;

export const ExternalBrokerConfig = Type.Object(
  {
    /** mqtt://, mqtts://, ws:// or wss:// URL of Mosquitto, EMQX … */
    url: Type.String({ pattern: '^(mqtts?|wss?)://' }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** PEM file of the CA that signed an mqtts:// or wss:// broker's certificate (a site's own CA), relative to the site file. */
    ca: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * `mosquitto`: count the broker's refusals from its log on $SYS/broker/log/# (mosquitto.conf `log_dest topic`,
     * `log_type notice`; `npm run mqtt-acl` lets the gateway user read it). Without it an external broker's
     * refusals are not counted.
     */
    brokerLog: Type.Optional(Type.Literal('mosquitto')),
  },
  { additionalProperties: false },
);
export type ExternalBrokerConfig = Static<typeof ExternalBrokerConfig>;

export const BrokerConfig = Type.Object(
  {
    embedded: Type.Optional(EmbeddedBrokerConfig),
    external: Type.Optional(ExternalBrokerConfig),
    /** Largest accepted payload; larger ones are refused by the embedded broker and counted (default 16 KiB). */
    maxPayloadBytes: Type.Optional(Type.Integer({ minimum: 64, maximum: 256 * 1024 * 1024 })),
    /** Connections one device login may hold at once on the embedded broker; more are refused and counted (default 4). */
    maxConnectionsPerLogin: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type BrokerConfig = Static<typeof BrokerConfig>;

export const defaultMaxPayloadBytes = 16 * 1024;
/** A bridge or a device needs one connection; a few more let a device reconnect while its old socket is half-open. */
export const defaultMaxConnectionsPerLogin = 4;
