// Emergency playbooks as checklists (004 工程部突发事件处理程序). The steps are data; their text is
// i18n `playbook.<type>.<step>`. Each step done is timestamped in the duty log; the playbook ends with the
// written incident report (L7).
export const playbookTypes = ['power-cut', 'pipe-burst', 'gas-leak', 'fire'] as const;
export type PlaybookType = (typeof playbookTypes)[number];

export const playbookSteps: Readonly<Record<PlaybookType, readonly string[]>> = {
  /** E1 Power cut. */
  'power-cut': ['external-or-internal', 'call-utility', 'check-lifts', 'notify-manager', 'inform-tenants', 'report-duty-director'],
  /** E2 Pipe burst / water cut. */
  'pipe-burst': ['close-valve', 'hang-notice', 'isolate-power', 'repair', 'reopen', 'inform-tenants'],
  /** E3 Gas leak. */
  'gas-leak': ['close-valve', 'no-flames-no-switching', 'cordon-off', 'report', 'call-gas-company'],
  /** E4 Fire. */
  fire: ['head-to-control-centre', 'watch-pumps-and-water', 'electricians-stand-by', 'keep-fire-power'],
};

export const playbookRules: Readonly<Record<PlaybookType, string>> = { 'power-cut': 'E1', 'pipe-burst': 'E2', 'gas-leak': 'E3', fire: 'E4' };
