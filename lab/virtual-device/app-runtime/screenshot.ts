import { PNG } from 'pngjs';
import type { ScreenSize, UiNode } from './screen-layout.js';
import { STATUS_BAR_HEIGHT } from './screen-layout.js';

/**
 * Renders a UI tree to a PNG: boxes for views, filled buttons, and text as rows of small
 * blocks (one per character, word gaps kept) so a screenshot shows where the text is and how
 * long it is. Not a pixel-perfect renderer; the same tree always gives the same bytes.
 */
type Rgb = [number, number, number];

const COLORS = {
  background: [250, 250, 250] as Rgb,
  statusBar: [32, 33, 36] as Rgb,
  button: [26, 115, 232] as Rgb,
  buttonText: [255, 255, 255] as Rgb,
  text: [60, 64, 67] as Rgb,
  border: [218, 220, 224] as Rgb,
  image: [200, 205, 210] as Rgb,
  edit: [255, 255, 255] as Rgb,
  checked: [24, 128, 56] as Rgb,
  dialog: [255, 255, 255] as Rgb,
  scrim: [120, 120, 120] as Rgb,
};

class Canvas {
  readonly png: PNG;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height, colorType: 2, inputHasAlpha: false });
    this.fill([0, 0, width, height], COLORS.background);
  }

  fill(b: [number, number, number, number], c: Rgb): void {
    const x1 = clamp(b[0], 0, this.width);
    const x2 = clamp(b[2], 0, this.width);
    const y1 = clamp(b[1], 0, this.height);
    const y2 = clamp(b[3], 0, this.height);
    const data = this.png.data;
    for (let y = y1; y < y2; y += 1) {
      let i = (y * this.width + x1) * 4;
      for (let x = x1; x < x2; x += 1) {
        data[i] = c[0];
        data[i + 1] = c[1];
        data[i + 2] = c[2];
        data[i + 3] = 255;
        i += 4;
      }
    }
  }

  frame(b: [number, number, number, number], c: Rgb, t = 3): void {
    this.fill([b[0], b[1], b[2], b[1] + t], c);
    this.fill([b[0], b[3] - t, b[2], b[3]], c);
    this.fill([b[0], b[1], b[0] + t, b[3]], c);
    this.fill([b[2] - t, b[1], b[2], b[3]], c);
  }

  /** Darkens what is already drawn: the scrim behind a dialog. */
  dim(): void {
    const d = this.png.data;
    for (let i = 0; i < d.length; i += 4) {
      d[i] = (d[i]! + COLORS.scrim[0]) >> 2;
      d[i + 1] = (d[i + 1]! + COLORS.scrim[1]) >> 2;
      d[i + 2] = (d[i + 2]! + COLORS.scrim[2]) >> 2;
    }
  }

  text(b: [number, number, number, number], text: string, c: Rgb, centered: boolean): void {
    const glyph = 22;
    const advance = 28;
    const lineHeight = 60;
    const width = b[2] - b[0] - 24;
    const perLine = Math.max(1, Math.floor(width / advance));
    const lines: string[] = [];
    for (const paragraph of text.split('\n')) {
      const chars = [...paragraph];
      for (let i = 0; i < chars.length || i === 0; i += perLine) lines.push(chars.slice(i, i + perLine).join(''));
    }
    const maxLines = Math.max(1, Math.floor((b[3] - b[1]) / lineHeight));
    const shown = lines.slice(0, maxLines);
    let y = centered ? Math.round((b[1] + b[3]) / 2 - (shown.length * lineHeight) / 2) + 18 : b[1] + 18;
    for (const line of shown) {
      const chars = [...line];
      let x = centered ? Math.round((b[0] + b[2]) / 2 - (chars.length * advance) / 2) : b[0] + 12;
      for (const ch of chars) {
        if (ch.trim() !== '') {
          // Wide (CJK) characters fill the cell; Latin ones are narrower; tall letters taller.
          const wide = ch.charCodeAt(0) > 0x2e80;
          const h = wide ? glyph : /[A-Z0-9bdfhklt]/.test(ch) ? glyph : Math.round(glyph * 0.7);
          const w = wide ? glyph : Math.round(glyph * 0.75);
          this.fill([x, y + glyph - h, x + w, y + glyph], c);
        }
        x += advance;
      }
      y += lineHeight;
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(v)));
}

function draw(canvas: Canvas, node: UiNode, depth: number): void {
  const cls = node.className;
  const b = node.bounds;
  const isDialogBox = depth > 0 && /LinearLayout|FrameLayout|RelativeLayout|ConstraintLayout/.test(cls) && (b[0] > 0 || b[1] > STATUS_BAR_HEIGHT);
  if (/Button$/.test(cls) && !node.checkable) {
    canvas.fill(b, node.enabled ? COLORS.button : COLORS.border);
    if (node.text) canvas.text(b, node.text, COLORS.buttonText, true);
  } else if (/CheckBox|Switch|RadioButton/.test(cls)) {
    const box: [number, number, number, number] = [b[0] + 8, b[1] + 20, b[0] + 68, b[1] + 80];
    canvas.frame(box, COLORS.text);
    if (node.checked) canvas.fill([box[0] + 12, box[1] + 12, box[2] - 12, box[3] - 12], COLORS.checked);
    if (node.text) canvas.text([b[0] + 80, b[1], b[2], b[3]], node.text, COLORS.text, false);
  } else if (/EditText/.test(cls)) {
    canvas.fill(b, COLORS.edit);
    canvas.frame(b, COLORS.border);
    const shown = node.password ? '•'.repeat(node.text.length) : node.text;
    if (shown) canvas.text(b, shown, COLORS.text, false);
  } else if (/ImageView|ImageButton/.test(cls)) {
    canvas.fill(b, COLORS.image);
    if (node.clickable) canvas.frame(b, COLORS.text);
  } else {
    if (isDialogBox) canvas.fill(b, COLORS.dialog);
    if (node.text) canvas.text(b, node.text, node.clickable ? COLORS.button : COLORS.text, false);
  }
  for (const child of node.children) draw(canvas, child, depth + 1);
}

export interface ScreenLayer {
  root: UiNode;
  /** Dialogs and pop-ups: the layers below are dimmed. */
  modal: boolean;
}

export function renderScreenshot(size: ScreenSize, layers: ScreenLayer[]): Buffer {
  const canvas = new Canvas(size.width, size.height);
  for (const layer of layers) {
    if (layer.modal) canvas.dim();
    draw(canvas, layer.root, 0);
  }
  canvas.fill([0, 0, size.width, STATUS_BAR_HEIGHT], COLORS.statusBar);
  return PNG.sync.write(canvas.png, { colorType: 2, deflateLevel: 3 });
}
