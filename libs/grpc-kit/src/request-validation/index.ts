// Field rules: the buf.validate rules in the protos, checked on every request
// a server decodes (and by the REST edge), with messages that name the field.
export { firstRuleViolation, prepareRuleValidation, type RuleViolation } from './request-validator';
export { withRuleValidation } from './rule-validation';
