import { metricSum } from './metrics-text';

describe('metricSum', () => {
  const scrape = [
    '# HELP order_watch_subscriptions Live WatchOrders streams on this replica',
    '# TYPE order_watch_subscriptions gauge',
    'order_watch_subscriptions 1000',
    'order_watch_subscriptions_total 7',
    'v8js_memory_heap_used{v8js_heap_space_name="new_space"} 1048576',
    'v8js_memory_heap_used{v8js_heap_space_name="old_space"} 3145728 1700000000000',
    'v8js_memory_heap_limit_bytes{v8js_heap_space_name="old_space"} 99',
  ].join('\n');

  it('reads one sample, and sums a metric over its label sets (a trailing timestamp is not the value)', () => {
    expect(metricSum(scrape, 'order_watch_subscriptions')).toBe(1000);
    expect(metricSum(scrape, 'v8js_memory_heap_used')).toBe(4 * 1048576);
  });

  it('is undefined for a metric the scrape does not have, however close its name', () => {
    expect(metricSum(scrape, 'order_watch')).toBeUndefined();
    expect(metricSum('', 'order_watch_subscriptions')).toBeUndefined();
  });
});
