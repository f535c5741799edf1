import { WriteLedger } from './write-check';

describe('WriteLedger', () => {
  it('expects one order per successful call, per database', () => {
    const ledger = new WriteLedger();
    ledger.add('product_orders', 100);
    ledger.add('product_orders', 20);
    ledger.add('baseline_orders', 50);
    expect(ledger.verdicts(new Map([['product_orders', 120], ['baseline_orders', 49]]))).toEqual([
      { ok: true, line: 'product_orders: 120 orders for 120 successful CreateOrder calls' },
      { ok: false, line: 'baseline_orders: 49 orders for 50 successful CreateOrder calls: some calls replayed instead of writing' },
    ]);
  });

  it('allows the calls still in flight when a generator stopped, and no more', () => {
    const ledger = new WriteLedger();
    ledger.add('orders', 100, 16);
    expect(ledger.verdicts(new Map([['orders', 116]]))[0]).toEqual({
      ok: true,
      line: 'orders: 116 orders for 100 successful CreateOrder calls (+ up to 16 uncounted in flight at stops)',
    });
    expect(ledger.verdicts(new Map([['orders', 117]]))[0]).toMatchObject({ ok: false, line: expect.stringMatching(/failed calls wrote orders$/) });
  });
});
