import { getOption, type DescField } from '@bufbuild/protobuf';
import { field as fieldRulesExtension, type FieldRules } from '@bufbuild/protovalidate/gen/buf/validate/validate_pb.js';
import { field_behavior, FieldBehavior } from './gen/google/api/field_behavior_pb';

/** The buf.validate rules a proto declares on a field (empty rules when it declares none). */
export const fieldRules = (field: DescField): FieldRules => getOption(field, fieldRulesExtension);

type DeclaredRules = Exclude<FieldRules['type'], { case: undefined }>;
type RulesKind = DeclaredRules['case'];
type RulesOfKind<K extends RulesKind> = Extract<DeclaredRules, { case: K }>['value'];

/** The declared type-specific rules of a field, e.g. `rulesOf(f, 'string').maxLen`; throws when the proto declares none of that kind. */
export function rulesOf<K extends RulesKind>(field: DescField, kind: K): RulesOfKind<K> {
  const rules = fieldRules(field).type;
  if (rules.case !== kind) throw new Error(`${field.toString()} declares no ${kind} rules`);
  return rules.value as unknown as RulesOfKind<K>;
}

/** A string field's max_len rule, in Unicode code points. */
export const maxLengthOf = (field: DescField): number => Number(rulesOf(field, 'string').maxLen);

/** A repeated field's max_items rule. */
export const maxItemsOf = (field: DescField): number => Number(rulesOf(field, 'repeated').maxItems);

/**
 * Whether a JSON request must contain the field: `(google.api.field_behavior)
 * = REQUIRED`. (buf.validate's `required` says more for strings, non-empty,
 * and cannot say it for numbers, where 0 is a value.)
 */
export const isRequiredInRequests = (field: DescField): boolean => getOption(field, field_behavior).includes(FieldBehavior.REQUIRED);

/** An int32 field's largest allowed value (its `lte` rule). */
export function maxValueOf(field: DescField): number {
  const { lessThan } = rulesOf(field, 'int32');
  if (lessThan.case !== 'lte') throw new Error(`${field.toString()} declares no int32 lte rule`);
  return lessThan.value;
}
