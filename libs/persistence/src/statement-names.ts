import { Logger } from '@nestjs/common';

/**
 * Every distinct SQL text gets a name, so pg sends it as a named prepared
 * statement: Postgres parses and plans it once per connection, then only
 * binds and executes it. Measured per GetUser call (client CPU, see
 * docs/benchmarks.md): a named statement ~30 µs, the same text unnamed ~40 µs.
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
  const name = `s${names.size}`;
  names.set(text, name);
  return name;
}
