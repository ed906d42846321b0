import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../markdown';

function render(text: string): HTMLDivElement {
  const div = document.createElement('div');
  div.innerHTML = renderMarkdown(text);
  return div;
}

describe('renderMarkdown', () => {
  it('renders Markdown with highlighted code', () => {
    const div = render('# Title\n\n**bold**\n\n```python\nprint("hi")\n```');
    expect(div.querySelector('h1')?.textContent).toBe('Title');
    expect(div.querySelector('strong')?.textContent).toBe('bold');
    expect(div.querySelector('code.language-python .hljs-string')?.textContent).toBe('"hi"');
  });

  it('makes raw HTML and dangerous links inert', () => {
    const div = render(
      '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [click](javascript:window.__xss=3) <a href="JaVaScRiPt:alert(1)">x</a> <iframe src="https://evil.test"></iframe> <div onclick="x()" style="position:fixed">y</div>',
    );
    const html = div.innerHTML;
    expect(html).not.toMatch(/onerror|onclick|<script|<iframe|javascript:/i);
    expect(div.querySelector('img')?.getAttribute('src')).toBeNull();
    div.querySelectorAll('a').forEach((link) => expect(link.getAttribute('href')).toBeNull());
    expect(div.querySelector('div[style]')).toBeNull();
  });

  it('opens links in a new tab without an opener', () => {
    const link = render('[docs](https://example.com/a)').querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://example.com/a');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
  });
});
