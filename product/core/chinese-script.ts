import OpenCC from 'opencc-js';

/**
 * One Traditional → Simplified Chinese normalisation in front of every lexicon (policy text,
 * consent-dialog and permission-prompt wordings), so that each lexicon is written once, in
 * Simplified Chinese, and still reads 隱私權政策 / 同意並繼續 / 個人資訊收集清單 from Taiwan and
 * Hong Kong apps. OpenCC's Taiwan-with-phrases table also maps regional vocabulary
 * (資訊 → 信息, 裝置 → 设备, 行動網路 → 移动网络); Hong Kong text is covered by its
 * character table. Text without Traditional characters passes through unchanged.
 *
 * The converter maps character for character or phrase for phrase of equal length in practice;
 * callers that keep offsets into the original must still keep the original text as evidence.
 */
let converter: ((text: string) => string) | undefined;

export function toSimplified(text: string): string {
  const convert = (converter ??= OpenCC.Converter({ from: 'twp', to: 'cn' }));
  return convert(text);
}

/** Whether a text holds any CJK ideograph at all (cheap pre-check before converting). */
export function hasHan(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
