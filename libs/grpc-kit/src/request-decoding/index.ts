// Strict request decoding: every request that is not a valid encoding of its
// message, or has a string field that is not UTF-8, is answered
// INVALID_ARGUMENT before it reaches a handler. One folder so that the codec
// (protobufjs today, @bufbuild/protobuf generated code later) can be swapped here alone.
export { RejectedRequest, rejectMalformedRequests, strictDeserializer, useStrictDecoding, withStrictDecoding } from './strict-decoding';
export { stringFieldCheckFor, type StringFieldCheck, type StringFieldProblem } from './string-fields';
