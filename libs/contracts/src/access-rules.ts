import { getOption, hasOption, type DescMethod, type DescService } from '@bufbuild/protobuf';
import { access, type Access } from './gen/acme/auth/v1/access_pb';

export type { Access };

/**
 * Who may call `method`, as its proto states it (`option (acme.auth.v1.access)`).
 * A method without the option throws: an unstated rule is a mistake to find
 * at startup, never a method left open.
 */
export function accessOf(method: DescMethod): Access {
  if (!hasOption(method, access)) throw new Error(`${method.toString()} has no (acme.auth.v1.access) option: state who may call it in its proto`);
  const rule = getOption(method, access);
  const owner = rule.ownerField;
  if (owner !== '' && !method.input.fields.some((f) => f.name === owner)) {
    throw new Error(`${method.toString()}: (acme.auth.v1.access).owner_field names no field of ${method.input.typeName}: ${owner}`);
  }
  return rule;
}

/** Every method's rule, checked once: a service whose proto misses one fails here. */
export const accessRulesOf = (service: DescService): ReadonlyMap<string, Access> => new Map(service.methods.map((m) => [m.name, accessOf(m)]));
