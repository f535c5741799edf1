import type { DescField, DescMethod, DescService } from '@bufbuild/protobuf';
import { fieldRules, httpRuleOf } from '@acme/contracts';

// The REST routes of a service, read from its proto: `option (google.api.http)`
// gives the verb, the path (its {variables} name request fields) and whether
// the body carries the other fields (`body: "*"`); what is left of a GET or
// DELETE request comes from the query string. Three conventions of this edge,
// the same for every service:
// - a request field `idempotency_key` travels as the Idempotency-Key header
//   and is echoed in the answer; when the proto requires it (buf.validate
//   `required`) and the client sent none, the edge makes one, so its own
//   retries stay safe;
// - a Create method (AIP-133) answers 201 with a Location: the path of the
//   service's GET route for the same resource type;
// - a method whose answer has no fields answers 204 without a body.

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestRoute {
  readonly method: DescMethod;
  readonly verb: Verb;
  /** The path as the proto states it, e.g. /users/{user_id}/orders. */
  readonly template: string;
  readonly pathFields: readonly DescField[];
  readonly queryFields: readonly DescField[];
  /** Empty when the route takes no body. */
  readonly bodyFields: readonly DescField[];
  readonly idempotencyKey?: { readonly field: DescField; readonly generated: boolean };
  readonly status: 200 | 201 | 204;
  /** For 201: the template of the created resource's own route (its variables are fields of the answer). */
  readonly locationTemplate?: string;
}

export const IDEMPOTENCY_KEY_FIELD = 'idempotency_key';

export function restRoutesOf(service: DescService): RestRoute[] {
  const routes = service.methods.flatMap((method) => {
    const rule = httpRuleOf(method);
    if (!rule || method.methodKind !== 'unary') return [];
    const { case: verb, value: template } = rule.pattern;
    if (verb === undefined || verb === 'custom' || typeof template !== 'string') throw new Error(`${method.toString()}: unsupported google.api.http pattern`);
    if (rule.body !== '' && rule.body !== '*') throw new Error(`${method.toString()}: only body "*" or no body is supported`);
    const pathNames = [...template.matchAll(/\{([a-z0-9_]+)\}/g)].map((m) => m[1] ?? '');
    const fieldNamed = (name: string) => {
      const field = method.input.fields.find((f) => f.name === name);
      if (!field) throw new Error(`${method.toString()}: {${name}} names no field of ${method.input.typeName}`);
      return field;
    };
    const pathFields = pathNames.map(fieldNamed);
    const keyField = method.input.fields.find((f) => f.name === IDEMPOTENCY_KEY_FIELD);
    const rest = method.input.fields.filter((f) => !pathFields.includes(f) && f !== keyField);
    // The edge names enum values without their prefix and has no JSON for maps yet: refuse them at startup, not per request.
    const unsupported = rest.find((f) => f.fieldKind === 'enum' || f.fieldKind === 'map' || (f.fieldKind === 'list' && f.listKind === 'enum'));
    if (unsupported) throw new Error(`${method.toString()}: the REST edge does not map ${unsupported.fieldKind} request fields yet (${unsupported.name})`);
    const verbName = verb.toUpperCase() as Verb;
    return [
      {
        method,
        verb: verbName,
        template,
        pathFields,
        queryFields: rule.body === '' ? rest : [],
        bodyFields: rule.body === '*' ? rest : [],
        ...(keyField ? { idempotencyKey: { field: keyField, generated: fieldRules(keyField).required } } : {}),
        status: method.name.startsWith('Create') ? 201 : method.output.fields.length === 0 ? 204 : 200,
      } satisfies RestRoute as RestRoute,
    ];
  });
  return routes.map((route) => (route.status === 201 ? { ...route, locationTemplate: locationOf(route, routes) } : route));
}

/** The GET route that reads what a Create route makes: same answer type, its variables all fields of the answer. */
function locationOf(route: RestRoute, routes: readonly RestRoute[]): string {
  const read = routes.find(
    (r) => r.verb === 'GET' && r.method.output === route.method.output && r.pathFields.length > 0 && r.pathFields.every((f) => route.method.output.fields.some((o) => o.name === f.name)),
  );
  if (!read) throw new Error(`${route.method.toString()}: no GET route reads its ${route.method.output.typeName}, so there is no Location to give`);
  return read.template;
}

/** Fastify's form of a template: /users/{user_id}/orders -> /users/:user_id/orders. */
export const fastifyPath = (template: string): string => template.replace(/\{([a-z0-9_]+)\}/g, ':$1');

/** Fills a template's {variables} from `values` (URL-encoded). */
export const fillTemplate = (template: string, values: (name: string) => string): string =>
  template.replace(/\{([a-z0-9_]+)\}/g, (_m, name: string) => encodeURIComponent(values(name)));
