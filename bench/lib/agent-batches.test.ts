import { describe, expect, it } from 'vitest';
import { loadSdkCatalogue } from '../../harness/catalogue/sdk-catalogue.js';
import { AgentEvent, AgentMessage } from '../../harness/instrumentation/agent-messages.js';
import { attribute } from '../../harness/instrumentation/attribution.js';
import { agentBatchTexts, APP_PACKAGE, BATCH_EVENTS } from './agent-batches.js';

describe('generated agent traffic for the ingestion benchmark', () => {
  const texts = agentBatchTexts(20, 7);
  const messages = texts.map((t) => AgentMessage.parse(JSON.parse(t)));
  const events = messages.flatMap((m) => (m.type === 'events' ? m.events : [])).map((e) => AgentEvent.parse(e));

  it('is what the host accepts from a real agent: valid messages of full batches, every event valid', () => {
    expect(messages.every((m) => m.type === 'events')).toBe(true);
    expect(events).toHaveLength(20 * BATCH_EVENTS);
  });

  it('is the same for the same seed and different for another, so both contenders ingest the same bytes', () => {
    expect(agentBatchTexts(20, 7)).toEqual(texts);
    expect(agentBatchTexts(2, 8)[0]).not.toEqual(texts[0]);
  });

  it('carries realistic Java stacks (~15 frames) that attribute to SDKs, the app, libraries and the system', () => {
    const java = events.filter((e) => !e.api.startsWith('libc!') && e.dataType !== 'lifecycle');
    const depths = java.map((e) => e.stack.length);
    expect(Math.min(...depths)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...depths)).toBeLessThanOrEqual(20);
    const sdks = loadSdkCatalogue();
    const parties = new Set(java.map((e) => attribute(e.stack, APP_PACKAGE, sdks).party));
    expect([...parties].sort()).toEqual(['first', 'sdk', 'system', 'unknown']);
    expect(events.some((e) => e.lifecycle?.state === 'background')).toBe(true);
  });
});
