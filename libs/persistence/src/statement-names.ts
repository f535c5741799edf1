import { Logger } from '@nestjs/common';

/**
 * Every distinct SQL text gets a name, so pg sends it as a named prepared
 * statement: Postgres parses and plans it once per connection, then only
 * binds and executes it. Measured per GetUser call (client CPU, see
 * docs/benchmarks.md): a named statement ~30 µs, the same text unnamed ~40 µs.
 *
 * The name also says what the statement does ("INSERT orders #4"): tracing
 * shows it as the span name of the query.
 *
 * The texts are the constants of the repositories, so the map stays small. A
 * text built per call (values spliced into SQL) would grow it without bound,
 * on every connection of the server too: past the cap, texts run unnamed, and
 * that is said once.
 */
const MAX_NAMED_STATEMENTS = 500;

const names = new Map<string, string>();
let warned = false;

/** The statement name of a SQL text (the same text, the same name), or undefined past the cap. */
export function statementName(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMED_STATEMENTS) {
    if (known === undefined && !warned) {
      warned = true;
      new Logger('Database').warn(
        `more than ${MAX_NAMED_STATEMENTS} distinct SQL texts: further ones are not prepared. Is a statement built with its values spliced in? Bind them as parameters.`,
      );
    }
    return known;
  }
  const name = `${summaryOf(text)} #${names.size}`;
  names.set(text, name);
  return name;
}

// The first data-modifying verb wins over SELECT: "WITH deleted AS (DELETE FROM users ...) SELECT ..." deletes.
const MODIFYING = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+("?[\w.]+"?)/i;
const TOKENS = /\(|\)|\bFROM\s+("?[\w.]+"?)/gi;

/** "INSERT orders", "SELECT users", or the first word for anything else; short enough for Postgres's 63-byte names. */
function summaryOf(text: string): string {
  const modifying = MODIFYING.exec(text);
  if (modifying?.[1] && modifying[2]) return `${modifying[1].split(/\s+/)[0]?.toUpperCase()} ${modifying[2]}`.slice(0, 50);
  const table = outermostFrom(text);
  if (table) return `SELECT ${table}`.slice(0, 50);
  return (text.trim().split(/\s+/)[0] ?? 'SQL').toUpperCase().slice(0, 50);
}

/** The table of the first FROM outside parentheses (not a subquery's). */
function outermostFrom(text: string): string | undefined {
  let depth = 0;
  for (const [token, table] of text.matchAll(TOKENS)) {
    if (token === '(') depth++;
    else if (token === ')') depth--;
    else if (depth === 0) return table;
  }
  return undefined;
}
