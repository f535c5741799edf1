// The generators of @acme/workspace (generators.json names them).
export { serviceGenerator } from './generators/service/generator';
