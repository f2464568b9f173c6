import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { RequestDurations } from '../../src/observability/request-durations.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('metrics and shutdown settings', () => {
  it('default to no metrics, a metrics port on 127.0.0.1 when one is set, and 10 s to drain', () => {
    const config = loadConfig({});
    expect(config.metricsPort).toBeUndefined();
    expect(config.metricsToken).toBeUndefined();
    expect(config.metricsHost).toBe('127.0.0.1');
    expect(config.shutdownTimeoutSeconds).toBe(10);
    const set = loadConfig({
      KEYCARD_METRICS_PORT: '9100',
      KEYCARD_METRICS_TOKEN: '  0123456789abcdef  ',
      KEYCARD_SHUTDOWN_TIMEOUT: '1m',
    });
    expect(set).toMatchObject({
      metricsPort: 9100,
      metricsToken: '0123456789abcdef',
      shutdownTimeoutSeconds: 60,
    });
  });

  it('refuses a short token without echoing it, the API port, and a bad timeout', () => {
    const problems = problemsOf({
      KEYCARD_METRICS_TOKEN: 'tooshort',
      KEYCARD_METRICS_PORT: '8080',
      KEYCARD_SHUTDOWN_TIMEOUT: 'soon',
    });
    expect(problems.join('\n')).not.toContain('tooshort');
    expect(problems.some((problem) => problem.startsWith('KEYCARD_METRICS_TOKEN:'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('KEYCARD_METRICS_PORT:'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('KEYCARD_SHUTDOWN_TIMEOUT:'))).toBe(true);
    expect(problemsOf({ KEYCARD_METRICS_PORT: 'metrics' })).toHaveLength(1);
  });
});

describe('the request latency histogram', () => {
  it('counts each request in its bucket and every bucket above, with the sum and count', () => {
    const durations = new RequestDurations();
    const route = durations.forRoute('GET', '/me');
    expect(durations.forRoute('GET', '/me')).toBe(route);
    route.observe(200, 0.0004);
    route.observe(200, 0.003);
    route.observe(200, 20);
    route.observe(401, 0.001);
    const lines = durations.format().split('\n');
    const value = (series: string) => lines.find((line) => line.startsWith(`${series} `))?.split(' ')[1];
    const labels = 'method="GET",route="/me",status_code="200"';
    expect(value(`keycard_http_request_duration_seconds_bucket{${labels},le="0.0005"}`)).toBe('1');
    expect(value(`keycard_http_request_duration_seconds_bucket{${labels},le="0.0025"}`)).toBe('1');
    expect(value(`keycard_http_request_duration_seconds_bucket{${labels},le="0.005"}`)).toBe('2');
    expect(value(`keycard_http_request_duration_seconds_bucket{${labels},le="10"}`)).toBe('2');
    expect(value(`keycard_http_request_duration_seconds_bucket{${labels},le="+Inf"}`)).toBe('3');
    expect(value(`keycard_http_request_duration_seconds_count{${labels}}`)).toBe('3');
    expect(Number(value(`keycard_http_request_duration_seconds_sum{${labels}}`))).toBeCloseTo(20.0034);
    // A bound equal to the value counts it (le: less than or equal).
    expect(
      value(
        'keycard_http_request_duration_seconds_bucket{method="GET",route="/me",status_code="401",le="0.001"}',
      ),
    ).toBe('1');
  });
});
