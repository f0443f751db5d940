import { EXIT } from '../core/errors.js';

export const EXIT_CODES_HELP = `Exit codes:
  ${EXIT.ok}    success (and, for run/analyze/report, no finding at or above --fail-on)
  ${EXIT.findings}    findings at or above --fail-on (default: high)
  ${EXIT.usage}    bad usage or invalid input (config, scenario, policy, bundle, APK)
  ${EXIT.environment}    a required tool or device is missing or unhealthy
  ${EXIT.inconclusive}    the verdict is inconclusive (the tool could not see enough)
  ${EXIT.failure}   internal error
  ${EXIT.interrupted}  interrupted (Ctrl-C / SIGTERM)`;
