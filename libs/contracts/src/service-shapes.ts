import type { DescMessage, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';

/** The methods of a generated service, by their generated (camelCase) names. */
export type MethodsOf<S extends DescService> = S extends GenService<infer M extends GenServiceMethods> ? M : never;

/** The request a server receives for method K: a decoded message. */
export type RequestOf<S extends DescService, K extends keyof MethodsOf<S>> = MessageShape<MethodsOf<S>[K]['input']>;

/** What a server answers for method K: a message, or a plain object of its fields. */
export type ResponseInitOf<S extends DescService, K extends keyof MethodsOf<S>> = MessageInitShape<MethodsOf<S>[K]['output']>;

/** What a client receives for method K. */
export type ResponseOf<S extends DescService, K extends keyof MethodsOf<S>> = MessageShape<MethodsOf<S>[K]['output']>;

/** What a client sends for method K. */
export type RequestInitOf<S extends DescService, K extends keyof MethodsOf<S>> = MessageInitShape<MethodsOf<S>[K]['input']>;

/**
 * A server implementation of service S: one handler per unary RPC (a
 * controller `implements UnaryHandlers<typeof UserService>`).
 */
export type UnaryHandlers<S extends DescService> = {
  [K in keyof MethodsOf<S>]: (request: RequestOf<S, K>, ...rest: never[]) => Promise<ResponseInitOf<S, K>>;
};

/**
 * A message of `Desc` as a plain object of its fields (what MessageInitShape
 * allows besides a message), e.g. for a test's `Partial<>` of a request.
 */
export type FieldsOf<Desc extends DescMessage> = Exclude<MessageInitShape<Desc>, MessageShape<Desc>>;
