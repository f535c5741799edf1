// Patterns shared by the request schemas. Each has a sentence for the 400
// answer, because a regular expression is no message for a person.

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const SKU_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
/** int64 money travels as a decimal string: JSON numbers lose precision above 2^53. */
export const CENTS_PATTERN = '^[0-9]{1,19}$';
/** page_size arrives as query text: 0 (the default) to 100. */
export const PAGE_SIZE_PATTERN = '^(100|[1-9]?[0-9])$';
export const NOT_BLANK_PATTERN = '\\S';
/**
 * Header values the gateway echoes or forwards: Node reads header bytes as
 * latin1 and writes strings as UTF-8, so only ASCII comes back as sent.
 */
export const VISIBLE_ASCII_PATTERN = '^[!-~]*$';

export const PATTERN_MESSAGES: ReadonlyMap<string, string> = new Map([
  [UUID_PATTERN, 'must be a UUID'],
  [SKU_PATTERN, "must be 1 to 64 letters, digits, '.', '_' or '-'"],
  [CENTS_PATTERN, 'must be a string of decimal digits (an int64 amount of cents), e.g. "1999"'],
  [PAGE_SIZE_PATTERN, 'must be a whole number from 0 to 100 (0 means the default, 20)'],
  [NOT_BLANK_PATTERN, 'must not be blank'],
  [VISIBLE_ASCII_PATTERN, "must be visible ASCII characters only, '!' to '~' (letters, digits, punctuation): no spaces, no accented letters"],
]);

export const INT64_MAX = 2n ** 63n - 1n;
