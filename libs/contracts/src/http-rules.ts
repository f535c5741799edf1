import { getOption, hasOption, type DescMethod } from '@bufbuild/protobuf';
import { http } from './gen/google/api/annotations_pb';
import type { HttpRule } from './gen/google/api/http_pb';

export type { HttpRule };

/** The REST mapping a method's proto declares (`option (google.api.http)`), if any. */
export const httpRuleOf = (method: DescMethod): HttpRule | undefined => (hasOption(method, http) ? getOption(method, http) : undefined);
