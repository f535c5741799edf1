/** The options of `nx g @acme/workspace:rename` (schema.json describes each). */
export interface RenameGeneratorSchema {
  readonly scope: string;
  readonly protoPackage: string;
}
