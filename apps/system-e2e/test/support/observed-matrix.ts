/**
 * What a table of cases observed, row (a route or an RPC) by column (who
 * called, on whose resource), rendered as a compact text grid for the log:
 * the figures a report quotes come from the run, not from the expectations.
 */
export class ObservedMatrix {
  private readonly cells = new Map<string, Map<string, string>>();

  /** `columns` in the order shown; those no case recorded are left out. */
  constructor(
    private readonly title: string,
    private readonly columns: readonly string[],
  ) {}

  record(row: string, column: string, outcome: string | number): void {
    if (!this.columns.includes(column)) throw new Error(`${this.title} has no column ${column}`);
    let cells = this.cells.get(row);
    if (!cells) this.cells.set(row, (cells = new Map()));
    // Two cases in one cell (e.g. a refusal for a scope and another for a role) are both shown.
    const before = cells.get(column);
    cells.set(column, before === undefined ? String(outcome) : `${before},${outcome}`);
  }

  render(): string {
    const rows = [...this.cells.keys()];
    const used = this.columns.filter((column) => rows.some((row) => this.cells.get(row)?.has(column)));
    const head = ['', ...used];
    const body = rows.map((row) => [row, ...used.map((column) => this.cells.get(row)?.get(column) ?? '.')]);
    const widths = head.map((_, i) => Math.max(...[head, ...body].map((line) => (line[i] ?? '').length)));
    const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
    return [this.title, line(head), ...body.map(line)].join('\n');
  }
}
