/**
 * Whether this process exports traces, decided by the standard OTEL_*
 * variables alone: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or its
 * _TRACES_ form) or an explicit OTEL_TRACES_EXPORTER other than "none", and
 * OTEL_SDK_DISABLED not "true". Without one, the SDK is not started at all: no
 * exporter runs, nothing is patched, and nothing is logged about it.
 */
export function tracesExportConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = env['OTEL_TRACES_EXPORTER']?.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (exporters && exporters.length > 0) return !exporters.includes('none');
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}
