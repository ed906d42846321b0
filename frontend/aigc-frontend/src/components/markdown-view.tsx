import { useMemo } from 'react';
import { renderMarkdown } from '@/lib/markdown';

/** Rendered, sanitised Markdown (see lib/markdown). */
export function MarkdownView({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return (
    <div
      className={className ? `markdown-body ${className}` : 'markdown-body'}
      // renderMarkdown sanitises with DOMPurify; nothing unsanitised reaches the DOM.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
