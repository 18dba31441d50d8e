// Console entry: login first (every API call needs the session), then the site, the live socket and the board.
import type { SessionView } from '../../../src/contract/api.ts';
import { api, ApiError } from './api.ts';
import { boardView, type BoardView } from './board-view.ts';
import { now, timed } from './clock.ts';
import { replaceChildren } from './dom.ts';
import { errorText } from './errors.ts';
import { setTimeZone } from './format.ts';
import { langChosen, loc, onLangChange, setLang, tr } from './lang.ts';
import { loginView, type LoginState } from './login-view.ts';
import { connectLive, type LiveSocket } from './socket.ts';
import { AlarmSound } from './sound.ts';
import { Store } from './store.ts';
import { loadRecordNames } from './record-names.ts';
import { restorePageState, savePageState } from './page-state.ts';

const root = document.getElementById('app') ?? document.body;

interface Session {
  store: Store;
  socket: LiveSocket;
  board: BoardView | null;
}

let session: Session | null = null;
const login: LoginState = { username: '', message: null };
const sound = new AlarmSound(() => session?.board?.soundChanged());

function showLogin(message: (() => string) | null = null): void {
  endSession();
  login.message = message;
  document.title = tr('app.title');
  replaceChildren(root, loginView(login, (user) => void startSession(user)));
  root.querySelector<HTMLInputElement>(login.username ? '#login-password' : '#login-username')?.focus();
}

async function startSession(user: SessionView): Promise<void> {
  let site;
  try {
    // The gateway's time comes with the site: "now" is right from the first frame (L6, clock.ts).
    site = await timed(() => api.site(), (s) => s.serverTime);
  } catch (err) {
    showLogin(() => errorText(err));
    return;
  }
  setTimeZone(site.timezone);
  // The site's language until this browser's user picks one (and then theirs, remembered).
  if (!langChosen()) setLang(site.language, false);
  const store = new Store(user, site);
  // Events that arrive before the first snapshot are queued and replayed on top of it.
  store.beginSnapshot();
  const socket = connectLive({
    onConnect: () => {
      store.setConnection('live');
      void resync(store);
    },
    onDisconnect: () => store.setConnection('lost'),
    onAuthRequired: () => showLogin(() => tr('conn.sessionExpired')),
    onReadings: (readings) => store.receive({ type: 'readings', readings }),
    onAlarms: (alarms) => alarms.forEach((alarm) => store.receive({ type: 'alarm', alarm })),
    onDutyLogEntries: (entries) => entries.forEach((entry) => store.receive({ type: 'dutyLog', entry })),
    onAlarmSummary: (summary) => store.receive({ type: 'summary', summary }),
    onDeviceTag: (tag) => store.receive({ type: 'tags', tag }),
  });
  session = { store, socket, board: null };
  renderBoard();
}

/** After every (re)connect: events may have been missed, so take a fresh snapshot (A5: no alarm lost). */
async function resync(store: Store): Promise<void> {
  store.beginSnapshot();
  try {
    const [readings, alarms, dutyLog, tags, summary] = await Promise.all([
      api.readings(),
      api.alarms(),
      api.dutyLog(100),
      api.deviceTags(),
      api.alarmSummary(),
      // Shift, patrol, checklist and people names, so the entries about to be shown read in words.
      loadRecordNames(now()),
    ]);
    store.applySnapshot({ readings, alarms, dutyLog, tags, summary });
  } catch (err) {
    store.abortSnapshot();
    if (err instanceof ApiError && err.code === 'RW_AUTH_REQUIRED') showLogin(() => tr('conn.sessionExpired'));
  }
}

function renderBoard(): void {
  if (!session) return;
  session.board?.destroy();
  const board = boardView({ store: session.store, socket: session.socket, sound, onLogout: () => void logout() });
  session.board = board;
  document.title = `${loc(session.store.site.name)} · ${tr('app.title')}`;
  replaceChildren(root, board.el);
}

function endSession(): void {
  if (!session) return;
  session.board?.destroy();
  session.socket.disconnect();
  session = null;
  sound.setLevel(null);
}

async function logout(): Promise<void> {
  endSession();
  await api.logout().catch(() => undefined); // the cookie may already be gone; the login screen is right either way
  showLogin();
}

onLangChange(() => {
  // The page, what was typed and how far it was scrolled stay; only the words change (issue 15).
  const saved = savePageState(root);
  const scroll = window.scrollY;
  if (session) renderBoard();
  else showLogin(login.message);
  restorePageState(root, saved);
  window.scrollTo(0, scroll);
});

async function boot(): Promise<void> {
  try {
    const user = await api.session();
    await startSession(user);
  } catch (err) {
    showLogin(err instanceof ApiError && err.code === 'RW_AUTH_REQUIRED' ? null : () => errorText(err));
  }
}

void boot();
