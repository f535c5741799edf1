/** Items one ImportUsers stream may carry (the proto documents it); past it the call ends with RESOURCE_EXHAUSTED. */
export const MAX_IMPORT_ITEMS = 1_000_000;

/** Users written per batch: one multi-row INSERT in one transaction; only whole batches are ever committed. */
export const IMPORT_BATCH_SIZE = 1_000;
