#!/usr/bin/env node
/**
 * Standalone entry for the virtual device, without the rest of the CLI:
 *   node --import tsx lab/virtual-device/bin/virtual-device.ts [--port P] [--count N] [--host H]
 * Prints "ready HOST:PORT" per device and runs until SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../../product/core/logger.js';
import { errorMessage } from '../../../product/core/errors.js';
import { serveVirtualDevices } from '../launcher.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    count: { type: 'string', default: '1' },
    host: { type: 'string', default: '127.0.0.1' },
    'log-level': { type: 'string', default: process.env.CONSENTRY_LOG_LEVEL ?? 'info' },
  },
});

serveVirtualDevices({
  host: values.host,
  port: values.port === undefined ? undefined : Number(values.port),
  count: Number(values.count),
  logger: createLogger({ level: values['log-level'] }),
  announce: (line) => console.log(line),
}).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`virtual-device: ${errorMessage(err)}`);
    process.exit(1);
  },
);
