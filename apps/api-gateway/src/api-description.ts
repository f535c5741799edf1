import type { ApiDescription } from './http/openapi';
import { problemSchema } from './http/problem.schema';
import { apiComponents } from './rest/rest-openapi';
import { REST_SERVICES } from './rest/rest.module';

/** What /openapi.json says about the API besides what the controllers declare. */
export const API_DESCRIPTION: ApiDescription = {
  title: 'Acme API gateway',
  version: '1.0.0',
  description: [
    'REST edge of the Acme services. JSON bodies use camelCase; int64 amounts (`*Cents`) are decimal strings;',
    'times are RFC 3339 in UTC. Every answer carries `x-request-id` (send your own to correlate);',
    'every error is an RFC 9457 `application/problem+json` document.',
    'Text must be well-formed Unicode: JSON bodies UTF-8 without unpaired surrogate escapes (`\\ud800` alone),',
    'query and path parameters percent-encoded UTF-8 (`%C3%A9`, not `%E9`); anything else is refused with 400 naming',
    'the field, never altered. A request whose headers or body do not arrive within the server\'s timeouts is answered',
    '408 and its connection closed.',
  ].join(' '),
  schemas: {
    ...apiComponents(REST_SERVICES.map(({ service }) => service)),
    Problem: problemSchema,
  },
};
