// A console client for tests: logs in over REST like the browser does and opens the socket.io
// connection with the same session cookie.
import { io, type Socket } from 'socket.io-client';
import { routes, SESSION_COOKIE, type ConsoleToServerEvents, type ServerToConsoleEvents } from '../../src/contract/api.ts';

export type ConsoleSocket = Socket<ServerToConsoleEvents, ConsoleToServerEvents>;

export async function login(baseUrl: string, username: string, password: string): Promise<{ cookie: string; setCookie: string }> {
  const res = await fetch(baseUrl + routes.session, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1];
  if (!token) throw new Error('no session cookie in the login answer');
  return { cookie: `${SESSION_COOKIE}=${token}`, setCookie };
}

export async function api<T = unknown>(baseUrl: string, cookie: string | null, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(baseUrl + path, {
    ...init,
    headers: { ...(cookie ? { cookie } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export function connectConsole(baseUrl: string, cookie: string | null): ConsoleSocket {
  return io(baseUrl, { transports: ['websocket'], extraHeaders: cookie ? { cookie } : {}, reconnection: false, forceNew: true });
}
