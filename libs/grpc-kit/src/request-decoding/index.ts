// Strict request decoding: every request that is not a valid encoding of its
// message, or has a string field that is not UTF-8, is answered
// INVALID_ARGUMENT before it reaches a handler. One folder so that the codec
// (the generated protobuf-es codecs) is wrapped here alone.
export { RejectedRequest, rejectMalformedRequests, strictDeserializer, withRequestDeserializers, withStrictDecoding, type Deserialize } from './strict-decoding';
export { stringFieldCheckFor, type StringFieldCheck, type StringFieldProblem } from './string-fields';
