/**
 * Test setup that needs Node's own APIs (typed by tsconfig.node.json, not the app's tsconfig): answers for
 * browser measurements that jsdom can only make slowly and without a meaningful result.
 */
import { createRequire } from 'node:module';
import type { CSSProperties } from 'react';

// antd's TextArea autoSize measures a hidden copy of the textarea after every value change: it changes that
// copy's style (which drops jsdom's whole style cache) and then reads getComputedStyle of the textarea, which
// jsdom answers by matching its default stylesheet against the textarea and every ancestor again (tens of ms
// each time in a drawer). jsdom has no layout, so the answer never varies: scrollHeight is 0 and no padding is
// known, the heights come out NaN (which React drops) and only these styles remain. Give that answer directly.
// antd resolves to its CommonJS build under Node, hence require; should the module move, this fails loudly.
const autoSize = createRequire(import.meta.url)('@rc-component/input/lib/calculateNodeHeight') as {
  default: (node: HTMLTextAreaElement, useCache: boolean, minRows?: number | null, maxRows?: number | null) => CSSProperties;
};
if (typeof autoSize.default !== 'function') throw new Error('@rc-component/input no longer exports calculateNodeHeight');
autoSize.default = (_node, _useCache, _minRows = null, maxRows = null) =>
  maxRows === null ? { resize: 'none' } : { overflowY: 'hidden', resize: 'none' };
