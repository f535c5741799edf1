// The generators of @acme/workspace (generators.json names them).
export { serviceGenerator } from './generators/service/generator';
export { renameGenerator } from './generators/rename/generator';
// For tools/scripts/buf-breaking.mjs: a renamed workspace's base compared renamed alike.
export { readRenameRecord, renameProtoBase } from './generators/rename/api-rename-record';
