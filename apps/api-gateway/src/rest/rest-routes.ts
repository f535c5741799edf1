import type { DescField, DescMessage, DescMethod, DescService } from '@bufbuild/protobuf';
import { fieldRules, httpRuleOf } from '@acme/contracts';

// The REST routes of a service, read from its proto: `option (google.api.http)`
// gives the verb, the path (its {variables} name request fields) and whether
// the body carries the other fields (`body: "*"`); what is left of a GET or
// DELETE request comes from the query string. Conventions of this edge, the
// same for every service:
// - a request field `idempotency_key` travels as the Idempotency-Key header
//   and is echoed in the answer; when the proto requires it (buf.validate
//   `required`) and the client sent none, the edge makes one, so its own
//   retries stay safe;
// - a Create method (AIP-133) answers 201 with a Location: the path of the
//   service's GET route for the same resource type;
// - a method whose answer has no fields answers 204 without a body;
// - a server-streaming method (a GET) answers Server-Sent Events, one event
//   per message; when its request and its messages both have a
//   `resume_token`, the message's is the event id and the request's is
//   filled from Last-Event-ID (or the query), so an EventSource resumes by
//   itself;
// - a client-streaming method (a POST) takes newline-delimited JSON, each
//   line the request field its rule names (`body: "user"`), and answers 200.

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How a route relays its RPC: one request and one answer, a stream of events out, or a stream of lines in. */
export type RouteKind = 'unary' | 'server_stream' | 'client_stream';

export interface RestRoute {
  readonly method: DescMethod;
  readonly kind: RouteKind;
  readonly verb: Verb;
  /** The path as the proto states it, e.g. /users/{user_id}/orders. */
  readonly template: string;
  readonly pathFields: readonly DescField[];
  readonly queryFields: readonly DescField[];
  /** Empty when the route takes no body, or a stream of lines. */
  readonly bodyFields: readonly DescField[];
  /** A client stream's: the request field each line fills (a message field). */
  readonly lineField?: DescField;
  /**
   * A client stream's: the answer's list of per-item failures, if it has one
   * (items `{index, code, message}`, as ImportUsersResponse.failed): lines the
   * edge cannot turn into an item are reported there too, by line index.
   */
  readonly failureList?: DescField;
  /** A server stream's: the request field a resume fills, and the message field that is each event's id. */
  readonly resume?: { readonly request: DescField; readonly eventId: DescField };
  readonly idempotencyKey?: { readonly field: DescField; readonly generated: boolean };
  readonly status: 200 | 201 | 204;
  /** For 201: the template of the created resource's own route (its variables are fields of the answer). */
  readonly locationTemplate?: string;
}

export const IDEMPOTENCY_KEY_FIELD = 'idempotency_key';

export const RESUME_TOKEN_FIELD = 'resume_token';

export function restRoutesOf(service: DescService): RestRoute[] {
  const routes = service.methods.flatMap((method) => {
    const rule = httpRuleOf(method);
    if (!rule) return [];
    const kind = ROUTE_KINDS[method.methodKind];
    if (!kind) throw new Error(`${method.toString()}: the REST edge does not serve ${method.methodKind} methods`);
    const { case: verb, value: template } = rule.pattern;
    if (verb === undefined || verb === 'custom' || typeof template !== 'string') throw new Error(`${method.toString()}: unsupported google.api.http pattern`);
    const verbName = verb.toUpperCase() as Verb;
    const wanted = kind === 'server_stream' ? 'GET' : kind === 'client_stream' ? 'POST' : undefined;
    if (wanted && verbName !== wanted) throw new Error(`${method.toString()}: a ${method.methodKind} method is served as ${wanted}, not ${verbName}`);
    const lineField = kind === 'client_stream' ? method.input.fields.find((f) => f.name === rule.body) : undefined;
    if (kind === 'client_stream' ? lineField?.fieldKind !== 'message' : rule.body !== '' && rule.body !== '*') {
      throw new Error(`${method.toString()}: ${kind === 'client_stream' ? 'body must name the message field each line fills' : 'only body "*" or no body is supported'}`);
    }
    const pathNames = [...template.matchAll(/\{([a-z0-9_]+)\}/g)].map((m) => m[1] ?? '');
    const fieldNamed = (name: string) => {
      const field = method.input.fields.find((f) => f.name === name);
      if (!field) throw new Error(`${method.toString()}: {${name}} names no field of ${method.input.typeName}`);
      return field;
    };
    const pathFields = pathNames.map(fieldNamed);
    const keyField = method.input.fields.find((f) => f.name === IDEMPOTENCY_KEY_FIELD);
    const rest = method.input.fields.filter((f) => !pathFields.includes(f) && f !== keyField && f !== lineField);
    if (kind === 'client_stream' && rest.length > 0) throw new Error(`${method.toString()}: a line carries ${lineField?.name ?? ''} alone, so ${rest[0]?.name ?? ''} has no place to come from`);
    // The edge names enum values without their prefix and has no JSON for maps yet: refuse them at startup, not per request.
    const unsupported = rest.find((f) => f.fieldKind === 'enum' || f.fieldKind === 'map' || (f.fieldKind === 'list' && f.listKind === 'enum'));
    if (unsupported) throw new Error(`${method.toString()}: the REST edge does not map ${unsupported.fieldKind} request fields yet (${unsupported.name})`);
    const resumeFrom = method.input.fields.find((f) => f.name === RESUME_TOKEN_FIELD && f.fieldKind === 'scalar');
    const eventId = method.output.fields.find((f) => f.name === RESUME_TOKEN_FIELD && f.fieldKind === 'scalar');
    return [
      {
        method,
        kind,
        verb: verbName,
        template,
        pathFields,
        queryFields: rule.body === '' ? rest : [],
        bodyFields: rule.body === '*' ? rest : [],
        ...(lineField ? { lineField } : {}),
        ...(kind === 'client_stream' && failureListOf(method) ? { failureList: failureListOf(method) } : {}),
        ...(kind === 'server_stream' && resumeFrom && eventId ? { resume: { request: resumeFrom, eventId } } : {}),
        ...(keyField ? { idempotencyKey: { field: keyField, generated: fieldRules(keyField).required } } : {}),
        status: kind === 'unary' && method.name.startsWith('Create') ? 201 : kind === 'unary' && method.output.fields.length === 0 ? 204 : 200,
      } satisfies RestRoute as RestRoute,
    ];
  });
  return routes.map((route) => (route.status === 201 ? { ...route, locationTemplate: locationOf(route, routes) } : route));
}

/** The answer's list of `{index, code, message}` items, if it has one. */
function failureListOf(method: DescMethod): DescField | undefined {
  const shaped = (message: DescMessage) =>
    ['index', 'code', 'message'].every((name) => message.fields.some((f) => f.name === name && f.fieldKind === 'scalar'));
  return method.output.fields.find((f) => f.fieldKind === 'list' && f.listKind === 'message' && shaped(f.message));
}

const ROUTE_KINDS: Partial<Record<DescMethod['methodKind'], RouteKind>> = { unary: 'unary', server_streaming: 'server_stream', client_streaming: 'client_stream' };

/** The GET route that reads what a Create route makes: same answer type, its variables all fields of the answer. */
function locationOf(route: RestRoute, routes: readonly RestRoute[]): string {
  const read = routes.find(
    (r) => r.verb === 'GET' && r.method.output === route.method.output && r.pathFields.length > 0 && r.pathFields.every((f) => route.method.output.fields.some((o) => o.name === f.name)),
  );
  if (!read) throw new Error(`${route.method.toString()}: no GET route reads its ${route.method.output.typeName}, so there is no Location to give`);
  return read.template;
}

/**
 * Fastify's form of a template: /users/{user_id}/orders -> /users/:user_id/orders;
 * a literal colon (AIP-136 custom methods, /users:import) is doubled, as
 * Fastify's router escapes it.
 */
export const fastifyPath = (template: string): string => template.replace(/:/g, '::').replace(/\{([a-z0-9_]+)\}/g, ':$1');

/** Fills a template's {variables} from `values` (URL-encoded). */
export const fillTemplate = (template: string, values: (name: string) => string): string =>
  template.replace(/\{([a-z0-9_]+)\}/g, (_m, name: string) => encodeURIComponent(values(name)));
