import { z } from 'zod';

/**
 * How a scenario names a UI element. Exactly one strategy per selector, so a scenario says
 * plainly what it means; each maps onto one W3C/Appium locator strategy (see toLocator).
 */
export const SELECTOR_KEYS = ['id', 'text', 'textContains', 'xpath', 'accessibilityId'] as const;

export const Selector = z
  .strictObject({
    /** Resource id, full (`com.app:id/agree`) or short (`agree`, completed with the app package). */
    id: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
    textContains: z.string().min(1).optional(),
    xpath: z.string().min(1).optional(),
    accessibilityId: z.string().min(1).optional(),
  })
  .refine((s) => SELECTOR_KEYS.filter((k) => s[k] !== undefined).length === 1, {
    message: `expected exactly one of ${SELECTOR_KEYS.join(', ')}`,
  });
export type Selector = z.infer<typeof Selector>;

/** A W3C "find element" request: strategy and value. */
export interface Locator {
  using: 'id' | 'xpath' | 'accessibility id' | '-android uiautomator';
  value: string;
}

/** Escapes a string for a UiSelector Java string literal. */
function javaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function toLocator(selector: Selector, appPackage: string): Locator {
  if (selector.id !== undefined) {
    // UiAutomator matches full resource ids only; short ids belong to the app under test.
    const full = selector.id.includes(':id/') ? selector.id : `${appPackage}:id/${selector.id}`;
    return { using: 'id', value: full };
  }
  if (selector.text !== undefined) return { using: '-android uiautomator', value: `new UiSelector().text(${javaString(selector.text)})` };
  if (selector.textContains !== undefined) {
    return { using: '-android uiautomator', value: `new UiSelector().textContains(${javaString(selector.textContains)})` };
  }
  if (selector.xpath !== undefined) return { using: 'xpath', value: selector.xpath };
  return { using: 'accessibility id', value: selector.accessibilityId ?? '' };
}

export function describeSelector(selector: Selector): string {
  if (selector.id !== undefined) return `id "${selector.id}"`;
  if (selector.text !== undefined) return `text "${selector.text}"`;
  if (selector.textContains !== undefined) return `text containing "${selector.textContains}"`;
  if (selector.xpath !== undefined) return `xpath ${selector.xpath}`;
  return `accessibility id "${selector.accessibilityId ?? ''}"`;
}
