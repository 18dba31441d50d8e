// The alarm tone: a WebAudio oscillator, no audio files (air-gapped LAN). Browsers allow sound only after a
// user gesture, so the board asks for one ("Enable alarm sound") and warns while it has not been given.
// A1: an unacknowledged alarm keeps beeping until someone acknowledges it.

/** 'urgent' for critical/high alarms (fast triple beep), 'normal' for the rest, null for silence. */
export type SoundLevel = 'urgent' | 'normal' | null;

type AudioContextCtor = typeof AudioContext;

export class AlarmSound {
  #ctx: AudioContext | null = null;
  #level: SoundLevel = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  get supported(): boolean {
    return audioContextCtor() !== undefined;
  }

  /** True only when the browser actually lets us play. */
  get enabled(): boolean {
    return this.#ctx?.state === 'running';
  }

  /** Call from a click handler (the user gesture browsers require). */
  async enable(): Promise<void> {
    const Ctor = audioContextCtor();
    if (!Ctor) return;
    if (!this.#ctx || this.#ctx.state === 'closed') {
      this.#ctx = new Ctor();
      this.#ctx.addEventListener('statechange', () => {
        this.#sync();
        this.#onChange();
      });
    }
    try {
      await this.#ctx.resume();
    } catch {
      // refused by the browser: stays disabled and the warning stays up
    }
    this.#sync();
    this.#onChange();
    // One short beep confirms the sound works, even with no alarm pending.
    if (this.enabled && !this.#level) this.#beep('normal');
  }

  async disable(): Promise<void> {
    const ctx = this.#ctx;
    this.#ctx = null;
    this.#sync();
    if (ctx) await ctx.close().catch(() => undefined);
    this.#onChange();
  }

  setLevel(level: SoundLevel): void {
    if (level === this.#level) return;
    this.#level = level;
    this.#stop();
    this.#sync();
  }

  #sync(): void {
    if (this.enabled && this.#level) {
      if (this.#timer === undefined) {
        this.#beep(this.#level);
        this.#timer = setInterval(() => {
          if (this.#level) this.#beep(this.#level);
        }, this.#level === 'urgent' ? 1500 : 3000);
      }
    } else {
      this.#stop();
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #beep(level: Exclude<SoundLevel, null>): void {
    const ctx = this.#ctx;
    if (!ctx || ctx.state !== 'running') return;
    const pulses = level === 'urgent' ? 3 : 1;
    const start = ctx.currentTime + 0.02;
    for (let i = 0; i < pulses; i++) {
      const at = start + i * 0.22;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = level === 'urgent' ? 988 : 740;
      // Short attack and release: no clicks, and a square wave cuts through control-room noise.
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.25, at + 0.01);
      gain.gain.setValueAtTime(0.25, at + 0.14);
      gain.gain.linearRampToValueAtTime(0, at + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.17);
    }
  }
}

function audioContextCtor(): AudioContextCtor | undefined {
  const w = window as Window & { webkitAudioContext?: AudioContextCtor };
  return window.AudioContext ?? w.webkitAudioContext;
}
