/**
 * The two names a workspace is known by, and every form they take in its
 * files. In this repository both started as the same word (`@acme`, `acme`),
 * so which one an occurrence stands for is told by its context: the proto
 * package appears where protobuf puts it (`acme.user.v1`, `acme/user/v1/`,
 * `proto/acme`, `gen/acme`, `file_acme_`), the scope everywhere else (npm
 * packages, image names, the Kubernetes namespace, vhosts, databases, CA and
 * trust-domain names, prose).
 */
export interface WorkspaceNames {
  /** The npm scope, e.g. @acme. */
  readonly scope: string;
  /** The root proto package, e.g. acme. */
  readonly protoPackage: string;
}

const SCOPE = /^@[a-z][a-z0-9-]*$/;
const PROTO_PACKAGE = /^[a-z][a-z0-9_]*$/;

/** The options as given, checked; the message says what is expected. */
export function checkedNames(scope: string | undefined, protoPackage: string | undefined): WorkspaceNames {
  if (!scope || !SCOPE.test(scope)) throw new Error(`--scope=${scope ?? ''}: an npm scope is @ and a lowercase name (letters, digits, -), e.g. --scope=@myco`);
  if (!protoPackage || !PROTO_PACKAGE.test(protoPackage))
    throw new Error(`--proto-package=${protoPackage ?? ''}: a proto package is a lowercase identifier (letters, digits, _), e.g. --proto-package=myco`);
  return { scope, protoPackage };
}

/** The scope's word as used outside npm (namespace, images, vhost...), e.g. my-co. */
const bare = (scope: string) => scope.slice(1);
/** Where a name must be an identifier (databases, acme_users), e.g. my_co. */
const snake = (scope: string) => bare(scope).replace(/-/g, '_');
/** Where it starts a sentence or a title (Acme API gateway), e.g. MyCo. */
const pascal = (scope: string) =>
  bare(scope)
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** One segment of a proto package or path: a name, or a template's placeholder for one. */
const SEGMENT = String.raw`(?:[a-z_][a-z0-9_]*|\$\{\w+\}|<%=\s*\w+\s*%>|__\w+__|<\w+>|\*)`;
/** `.` or `/`, possibly escaped (regular expressions in code, JSON strings). */
const SEP = String.raw`\\{0,2}[./]`;

/**
 * A function that rewrites every form of `from` into the same form of `to`,
 * in one pass (so a new name that contains the old one is never renamed twice).
 */
export function renamer(from: WorkspaceNames, to: WorkspaceNames): (text: string) => string {
  const p = escape(from.protoPackage);
  const notAfter = '(?<![A-Za-z0-9_])';
  const notBefore = '(?![A-Za-z0-9])';
  const forms: Array<[RegExp, string]> = [
    // The proto package: acme.user.v1, acme\.user\.v1, acme/user/v1/user.proto, acme.<%= snake %>.v1.
    [new RegExp(`${notAfter}${p}(?=${SEP}${SEGMENT}${SEP}v\\d)`), to.protoPackage],
    // Its directories (proto/acme, gen/acme, `acme/`) and protoc-gen-es's descriptor names.
    [new RegExp(`(?<=(?:proto|gen)\\\\?/)${p}${notBefore}`), to.protoPackage],
    [new RegExp(`(?<=\`)${p}(?=/\`)`), to.protoPackage],
    [new RegExp(`(?<=file_)${p}(?=_)`), to.protoPackage],
    // The scope: @acme/contracts, then its word in each case.
    [new RegExp(`${notAfter}${escape(from.scope)}${notBefore}`), to.scope],
    [new RegExp(`${notAfter}${escape(snake(from.scope))}(?=_)`), snake(to.scope)],
    [new RegExp(`${notAfter}${escape(pascal(from.scope))}(?![a-z0-9])`), pascal(to.scope)],
    [new RegExp(`${notAfter}${escape(bare(from.scope))}${notBefore}`), bare(to.scope)],
  ];
  // Alternatives in order of precedence, each its own group: the first that matches at a position wins.
  const all = new RegExp(forms.map(([re]) => `(${re.source})`).join('|'), 'g');
  return (text) =>
    text.replace(all, (...groups: unknown[]) => {
      const index = groups.slice(1, forms.length + 1).findIndex((g) => g !== undefined);
      return forms[index]?.[1] ?? String(groups[0]);
    });
}
