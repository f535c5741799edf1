import type { Definitions } from './rabbitmq-definitions';

// Who may do what on the broker, evaluated the way RabbitMQ evaluates
// permissions: per user and vhost, a regular expression per operation
// (configure, write, read) matched against the name of the exchange or queue
// ("" means "^$"; the default exchange is checked as "amq.default").

const OPERATIONS = ['configure', 'write', 'read'] as const;

/**
 * Every operation some user may perform on an object of the topology (plus
 * the default exchange), as "user: operation kind name", sorted. Like the
 * NetworkPolicy graph, the result is compared with the designed list exactly.
 */
export function brokerAccess(d: Definitions): string[] {
  const access: string[] = [];
  for (const p of d.permissions ?? []) {
    const resources = [
      ...['amq.default', ...(d.exchanges ?? []).filter((e) => e.vhost === p.vhost).map((e) => e.name)].map((name) => ['exchange', name] as const),
      ...(d.queues ?? []).filter((q) => q.vhost === p.vhost).map((q) => ['queue', q.name] as const),
    ];
    for (const operation of OPERATIONS) {
      const pattern = new RegExp(p[operation] === '' ? '^$' : p[operation]);
      for (const [kind, name] of resources) if (pattern.test(name)) access.push(`${p.user}: ${operation} ${kind} ${name}`);
    }
  }
  return [...new Set(access)].sort();
}

/** Users without a password, tags beyond none (nothing here needs the management UI), permissions for unknown users or vhosts. */
export function userProblems(d: Definitions): string[] {
  const problems: string[] = [];
  const users = new Set((d.users ?? []).map((u) => u.name));
  const vhosts = new Set((d.vhosts ?? []).map((v) => v.name));
  for (const u of d.users ?? []) {
    if (!u.password && !u.password_hash) problems.push(`user ${u.name}: no password`);
    const tags = Array.isArray(u.tags) ? u.tags : u.tags.split(',').filter((t) => t.trim() !== '');
    if (tags.length > 0) problems.push(`user ${u.name}: tags ${tags.join(', ')}; service users need none`);
  }
  for (const p of d.permissions ?? []) {
    if (!users.has(p.user)) problems.push(`permissions of ${p.user}: no such user`);
    if (!vhosts.has(p.vhost)) problems.push(`permissions of ${p.user}: no such vhost ${p.vhost}`);
    for (const operation of OPERATIONS) {
      try {
        new RegExp(p[operation]);
      } catch {
        problems.push(`permissions of ${p.user}: ${operation} "${p[operation]}" is not a regular expression`);
      }
    }
  }
  return problems;
}

export interface BrokerUrl {
  /** Who connects with it, e.g. "service user-service". */
  readonly who: string;
  readonly url: string;
}

/** Each URL's user exists with that password, and may use the URL's vhost. */
export function credentialProblems(urls: readonly BrokerUrl[], d: Definitions): string[] {
  const problems: string[] = [];
  for (const { who, url } of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      problems.push(`${who}: AMQP_URL is not a URL`);
      continue;
    }
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    const vhost = parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : '/';
    const defined = (d.users ?? []).find((u) => u.name === user);
    if (!defined) {
      problems.push(`${who}: AMQP_URL names user "${user}", which the broker does not define`);
      continue;
    }
    if (defined.password === undefined) problems.push(`${who}: user "${user}" has only a password hash; cannot check the AMQP_URL's password`);
    else if (defined.password !== password) problems.push(`${who}: AMQP_URL's password is not user "${user}"'s`);
    if (!(d.permissions ?? []).some((p) => p.user === user && p.vhost === vhost)) {
      problems.push(`${who}: user "${user}" has no permissions on vhost "${vhost}"`);
    }
  }
  return problems;
}
