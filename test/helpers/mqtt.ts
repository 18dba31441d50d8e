// Real MQTT clients for tests: connect and report how the broker answered (CONNACK refusal code, or a closed
// connection after a refused publish), without reconnect loops hiding what happened.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export async function connectMqtt(url: string, opts: Partial<IClientOptions> = {}): Promise<MqttClient> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, protocolVersion: 4, ...opts });
  return new Promise((ok, fail) => {
    c.once('connect', () => ok(c));
    c.once('error', (err) => {
      c.end(true);
      fail(err);
    });
  });
}

/** The CONNACK return code a refused client got (MQTT 3.1.1 §3.2.2.3), or 0 if it was let in. */
export async function connackCode(url: string, opts: Partial<IClientOptions>): Promise<number> {
  try {
    const c = await connectMqtt(url, opts);
    await c.endAsync();
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

/** Resolves when the broker closes the client's connection. */
export const closed = (c: MqttClient): Promise<void> => new Promise((ok) => (c.connected ? c.once('close', () => ok()) : ok()));
