import { describe, expect, it } from 'vitest';
import { parseDump } from './element-tree.js';
import { findByUiSelector } from './ui-selector.js';
import { evaluateXPath, XPathError } from './xpath.js';

const DUMP = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0">
<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="p.q" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][100,100]">
<node index="0" text="" resource-id="p.q:id/list" class="android.widget.LinearLayout" package="p.q" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="true" long-clickable="false" password="false" selected="false" bounds="[0,0][100,50]">
<node index="0" text="One" resource-id="p.q:id/item" class="android.widget.TextView" package="p.q" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][100,10]" />
<node index="1" text="Two" resource-id="p.q:id/item" class="android.widget.TextView" package="p.q" content-desc="second" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,10][100,20]" />
</node>
<node index="1" text="Two" resource-id="p.q:id/footer" class="android.widget.TextView" package="p.q" content-desc="" checkable="true" checked="true" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,50][100,60]" />
</node></hierarchy>`;

const root = parseDump(DUMP, { width: 100, height: 100 });
const ids = (xpath: string) => evaluateXPath(xpath, root).map((n) => `${n.attrs['resource-id']}:${n.attrs.text}`);

describe('xpath over the page source', () => {
  it('selects by absolute path, descendant, attribute and position', () => {
    expect(ids('/hierarchy/android.widget.FrameLayout/android.widget.LinearLayout/*')).toEqual(['p.q:id/item:One', 'p.q:id/item:Two']);
    expect(ids('//android.widget.TextView[@text="Two"]')).toEqual(['p.q:id/item:Two', 'p.q:id/footer:Two']);
    // Positions count per parent for a step, over the whole set for a parenthesised one.
    expect(ids('//android.widget.TextView[1]')).toEqual(['p.q:id/item:One', 'p.q:id/footer:Two']);
    expect(ids('(//android.widget.TextView)[3]')).toEqual(['p.q:id/footer:Two']);
    expect(ids('//*[@resource-id="p.q:id/item"][last()]')).toEqual(['p.q:id/item:Two']);
  });

  it('supports functions, boolean operators, axes and unions', () => {
    expect(ids("//*[starts-with(@text,'T') and @checked='true']")).toEqual(['p.q:id/footer:Two']);
    expect(ids("//*[contains(@content-desc,'sec') or @text='One']")).toEqual(['p.q:id/item:One', 'p.q:id/item:Two']);
    expect(ids("//*[@text='One']/following-sibling::*")).toEqual(['p.q:id/item:Two']);
    expect(ids("//*[@text='One']/..")).toEqual(['p.q:id/list:']);
    expect(ids("//*[@text='One']/ancestor::android.widget.FrameLayout")).toEqual([':']);
    expect(ids("//*[not(@clickable='true')][@scrollable='true']")).toEqual(['p.q:id/list:']);
    expect(ids("//*[text()='One'] | //*[@resource-id='p.q:id/footer']")).toEqual(['p.q:id/item:One', 'p.q:id/footer:Two']);
    expect(ids('//android.widget.LinearLayout[android.widget.TextView[@text="One"]]')).toEqual(['p.q:id/list:']);
  });

  it('rejects malformed expressions', () => {
    expect(() => evaluateXPath('//*[', root)).toThrow(XPathError);
    expect(() => evaluateXPath('//*[foo(1)]', root)).toThrow(XPathError);
  });
});

describe('UiSelector', () => {
  it('chains attribute tests, instance and child selectors', () => {
    const text = (sel: string) => findByUiSelector(sel, root).map((n) => n.attrs.text);
    expect(text('new UiSelector().resourceId("p.q:id/item").instance(1)')).toEqual(['Two']);
    expect(text('new UiSelector().className(android.widget.TextView.class).checked(true)')).toEqual(['Two']);
    expect(text('new UiSelector().descriptionContains("sec")')).toEqual(['Two']);
    expect(text('new UiSelector().textMatches("O.e")')).toEqual(['One']);
    expect(text('new UiSelector().scrollable(true).childSelector(new UiSelector().text("One"))')).toEqual(['One']);
    expect(text('new UiScrollable(new UiSelector().scrollable(true)).scrollIntoView(new UiSelector().text("Two"))')).toEqual(['Two', 'Two']);
  });
});
