import type { ConnectionOptions } from 'bullmq';
import { InputError } from '../../core/errors.js';

export interface RedisSettings {
  url: string;
  password?: string;
  tls?: boolean;
}

/** Redis connection options for BullMQ from the config's farm.redis (URL, password, TLS). */
export function redisConnection(settings: RedisSettings): ConnectionOptions {
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    throw new InputError('CONFIG_INVALID', `"${settings.url}" is not a Redis URL (expected redis://host:port or rediss://...)`, { field: 'farm.redis.url' });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InputError('CONFIG_INVALID', `unsupported scheme ${url.protocol} (expected redis: or rediss:)`, { field: 'farm.redis.url' });
  }
  const password = settings.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(password ? { password } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(settings.tls || url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
    // BullMQ workers need blocking commands to wait indefinitely.
    maxRetriesPerRequest: null,
  };
}
