/** Progress on stderr for long runs, only when stderr is a terminal (never in pipes or CI logs). */
export class Progress {
  private readonly start = Date.now();
  private lastPrint = 0;
  private printed = false;

  constructor(
    private readonly enabled: boolean,
    private readonly write: (s: string) => void,
    private readonly after = 2000,
  ) {}

  tick(n: number): void {
    if (!this.enabled || n < this.after || n % 500 !== 0) return;
    const now = Date.now();
    if (now - this.lastPrint < 200) return;
    this.lastPrint = now;
    this.printed = true;
    const rate = Math.round((n * 1000) / Math.max(1, now - this.start));
    this.write(`\r\x1b[2Kevaluated ${n.toLocaleString('en-US')} events (${rate.toLocaleString('en-US')}/s)`);
  }

  done(): void {
    if (this.printed) this.write('\r\x1b[2K');
  }
}
