// What the gateway does when the historian starts or stops losing readings at its outbox bound (issue 17): the
// historian alarm (raised at the first drop, cleared with the episode's count once the outbox has drained, A8)
// and a duty-log entry at each end, so a supervisor reviewing the month sees the hole: how many readings, taken
// between when and when.
import type { AlarmService } from '../../alarms/alarm-service.ts';
import type { Clock } from '../../core/clock.ts';
import type { DutyLog } from '../duty-log/duty-log.ts';
import type { HistorianLoss } from './influx-historian.ts';

export function historianLossReport(deps: { alarms: AlarmService; dutyLog: DutyLog; clock: Clock }): (loss: HistorianLoss) => void {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return ({ phase, episode }) => {
    deps.alarms.historianLoss(phase === 'started', episode.count);
    // The duty log announces its own entries once committed (store.afterCommit).
    deps.dutyLog.append({
      ts: deps.clock.now(),
      kind: phase === 'started' ? 'historian.dropsStarted' : 'historian.dropsEnded',
      params: { count: episode.count, lostFrom: iso(episode.lostFrom), lostTo: iso(episode.lostTo), what: episode.what, since: iso(episode.startedAt) },
    });
  };
}
