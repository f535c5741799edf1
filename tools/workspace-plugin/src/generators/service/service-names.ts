import { names } from '@nx/devkit';

/** Every name one service is known by, derived from what it is about (e.g. `inventory`). */
export interface ServiceNames {
  /** kebab case, e.g. stock-level: scopes, the Nx scope tag. */
  readonly domain: string;
  /** The app and project name, e.g. stock-level-service. */
  readonly app: string;
  /** e.g. StockLevel: class names. */
  readonly className: string;
  /** e.g. stockLevel: property names, the key in SERVICES. */
  readonly propertyName: string;
  /** e.g. STOCK_LEVEL: constants and environment variables. */
  readonly constantName: string;
  /** e.g. stock_level: the proto package segment, the database name. */
  readonly snake: string;
  /** e.g. acme.stock_level.v1. */
  readonly protoPackage: string;
  /** e.g. acme/stock_level/v1/stock_level.proto, under proto/. */
  readonly protoPath: string;
  /** The generated module under libs/contracts/src, e.g. ./gen/acme/stock_level/v1/stock_level_pb. */
  readonly generatedModule: string;
  /** protoc-gen-es's name for the file's descriptor, e.g. file_acme_stock_level_v1_stock_level. */
  readonly fileDescriptor: string;
  /** How @acme/contracts exports the package, e.g. stockLevelV1. */
  readonly contractsAlias: string;
  /** e.g. StockLevelService, and its full name acme.stock_level.v1.StockLevelService. */
  readonly grpcService: string;
  readonly grpcTypeName: string;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Proto packages and Nx scopes this workspace already has. */
const TAKEN = new Set(['auth', 'user', 'order', 'gateway', 'identity', 'system', 'shared']);

export function serviceNames(input: string): ServiceNames {
  const domain = input.replace(/-service$/, '');
  if (!KEBAB.test(domain)) throw new Error(`service name ${JSON.stringify(input)}: use kebab case, e.g. inventory or stock-level`);
  if (TAKEN.has(domain)) throw new Error(`service name ${JSON.stringify(input)}: ${domain} is taken (proto package or Nx scope of this workspace)`);
  const { className, propertyName, constantName } = names(domain);
  const snake = constantName.toLowerCase();
  const protoPackage = `acme.${snake}.v1`;
  const grpcService = `${className}Service`;
  return {
    domain,
    app: `${domain}-service`,
    className,
    propertyName,
    constantName,
    snake,
    protoPackage,
    protoPath: `acme/${snake}/v1/${snake}.proto`,
    generatedModule: `./gen/acme/${snake}/v1/${snake}_pb`,
    fileDescriptor: `file_acme_${snake}_v1_${snake}`,
    contractsAlias: `${propertyName}V1`,
    grpcService,
    grpcTypeName: `${protoPackage}.${grpcService}`,
  };
}
