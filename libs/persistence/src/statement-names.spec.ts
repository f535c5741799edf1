import { statementName } from './statement-names';

describe('statementName', () => {
  it('gives one name per SQL text, saying what it does', () => {
    const select = statementName('SELECT id FROM users WHERE id = $1');
    expect(select).toMatch(/^SELECT users #\d+$/);
    expect(statementName('SELECT id FROM users WHERE id = $1')).toBe(select);
    expect(statementName('WITH deleted AS (DELETE FROM users WHERE id = $1 RETURNING id) SELECT 1 FROM deleted')).toMatch(/^DELETE users #\d+$/);
    expect(statementName('INSERT INTO orders (id) VALUES ($1) RETURNING id')).toMatch(/^INSERT orders #\d+$/);
    expect(statementName('SELECT 1')).toMatch(/^SELECT #\d+$/);
    expect(statementName('SELECT o.id, (SELECT json_agg(i.sku) FROM order_items i) AS items FROM orders o')).toMatch(/^SELECT orders #\d+$/);
    expect(statementName('SELECT id FROM users WHERE id = $2')).not.toBe(select);
  });
});
