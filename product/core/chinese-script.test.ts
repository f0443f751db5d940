import { describe, expect, it } from 'vitest';
import { hasHan, toSimplified } from './chinese-script.js';

describe('toSimplified', () => {
  it('maps Traditional consent and list wordings to the Simplified ones the lexicons use', () => {
    expect(toSimplified('隱私權政策')).toBe('隐私权政策');
    expect(toSimplified('同意並繼續')).toBe('同意并继续');
    expect(toSimplified('拒絕')).toBe('拒绝');
    expect(toSimplified('個人資訊收集清單')).toBe('个人信息收集清单');
    expect(toSimplified('第三方共享清單')).toBe('第三方共享清单');
    expect(toSimplified('網絡類型、運營商、設備型號、安裝列表、傳感器')).toBe('网络类型、运营商、设备型号、安装列表、传感器');
  });

  it('leaves Simplified Chinese and other scripts as they are', () => {
    expect(toSimplified('我们不会收集您的通讯录')).toBe('我们不会收集您的通讯录');
    expect(toSimplified('We do not collect your IMEI.')).toBe('We do not collect your IMEI.');
    expect(hasHan('Agree')).toBe(false);
    expect(hasHan('同意')).toBe(true);
  });
});
