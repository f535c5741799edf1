/** The options of `nx g @acme/workspace:service` (schema.json describes each). */
export interface ServiceGeneratorSchema {
  readonly name: string;
  readonly port?: number;
  readonly database?: boolean;
  readonly events?: boolean;
  readonly consumes?: string;
  readonly calls?: string;
}
