/**
 * Every CreateOrder the benchmark counts must have written a new order
 * (fresh idempotency keys), or the figures would be about replays. The
 * ledger adds up the successful calls per orders database; at the end each
 * database must hold that many orders, plus at most the calls that were
 * still in flight when a generator stopped (wrk does not wait for them, so
 * they write without being counted).
 */
export class WriteLedger {
  private readonly expected = new Map<string, { calls: number; inFlight: number }>();

  add(database: string, successfulCalls: number, uncountedInFlight = 0): void {
    const entry = this.expected.get(database) ?? { calls: 0, inFlight: 0 };
    this.expected.set(database, { calls: entry.calls + successfulCalls, inFlight: entry.inFlight + uncountedInFlight });
  }

  /** One line per database; `ok` is false when the orders do not match the calls. */
  verdicts(ordersIn: ReadonlyMap<string, number>): { ok: boolean; line: string }[] {
    return [...this.expected].map(([database, { calls, inFlight }]) => {
      const orders = ordersIn.get(database) ?? 0;
      const ok = orders >= calls && orders <= calls + inFlight;
      const counted = `${orders} orders for ${calls} successful CreateOrder calls${inFlight > 0 ? ` (+ up to ${inFlight} uncounted in flight at stops)` : ''}`;
      if (ok) return { ok, line: `${database}: ${counted}` };
      return { ok, line: `${database}: ${counted}: ${orders < calls ? 'some calls replayed instead of writing' : 'failed calls wrote orders'}` };
    });
  }
}
