import type { ElementNode } from './element-tree.js';
import { descendants } from './element-tree.js';
import { findByUiSelector, UiSelectorError } from './ui-selector.js';
import { evaluateXPath, XPathError } from './xpath.js';

/** Raised for a selector the server cannot read (W3C "invalid selector", HTTP 400). */
export class InvalidSelectorError extends Error {}

export const STRATEGIES = ['id', 'xpath', '-android uiautomator', 'accessibility id', 'class name', 'name', 'text'] as const;

/**
 * Finds elements the way appium-uiautomator2-server does for each locator strategy. `id`
 * without a package gets the app's package prepended (`btn_ok` → `com.app:id/btn_ok`).
 */
export function locate(strategy: string, selector: string, scope: ElementNode, appPackage: string | undefined): ElementNode[] {
  const all = (): ElementNode[] => [...descendants(scope)];
  try {
    switch (strategy) {
      case 'id': {
        const full = selector.includes(':id/') ? [selector] : [appPackage ? `${appPackage}:id/${selector}` : selector, `android:id/${selector}`];
        const byFull = all().filter((n) => full.includes(n.attrs['resource-id'] ?? ''));
        if (byFull.length > 0 || selector.includes(':id/')) return byFull;
        // Without a known app package, match on the name part as UiAutomator's resourceIdMatches would.
        return all().filter((n) => (n.attrs['resource-id'] ?? '').endsWith(`:id/${selector}`));
      }
      case 'accessibility id':
        return all().filter((n) => n.attrs['content-desc'] === selector);
      case 'class name':
        return all().filter((n) => n.attrs.class === selector);
      case 'name':
      case 'text':
        return all().filter((n) => n.attrs.text === selector || n.attrs['content-desc'] === selector);
      case 'xpath':
        return evaluateXPath(selector, scope);
      case '-android uiautomator':
        return findByUiSelector(selector, scope);
      default:
        throw new InvalidSelectorError(`Locator strategy '${strategy}' is not supported for this session`);
    }
  } catch (err) {
    if (err instanceof XPathError || err instanceof UiSelectorError) {
      throw new InvalidSelectorError(`Unable to parse the ${strategy} selector '${selector}': ${err.message}`);
    }
    throw err;
  }
}
