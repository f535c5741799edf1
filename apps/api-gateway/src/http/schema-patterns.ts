// Patterns of the HTTP-only parts of requests (query text, headers; the
// fields' rules are the protos'). Each has a sentence for the 400
// answer, because a regular expression is no message for a person.

/** Numbers in paths and query strings arrive as text: a whole number short enough for any int32 (the field's rules say the rest). */
export const INTEGER_TEXT_PATTERN = '^-?[0-9]{1,9}$';
/**
 * Header values the gateway echoes or forwards: Node reads header bytes as
 * latin1 and writes strings as UTF-8, so only ASCII comes back as sent.
 */
export const VISIBLE_ASCII_PATTERN = '^[!-~]*$';

export const PATTERN_MESSAGES: ReadonlyMap<string, string> = new Map([
  [INTEGER_TEXT_PATTERN, 'must be a whole number'],
  [VISIBLE_ASCII_PATTERN, "must be visible ASCII characters only, '!' to '~' (letters, digits, punctuation): no spaces, no accented letters"],
]);
