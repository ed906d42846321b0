import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

/** How close to the end (px) still counts as "at the bottom": a pixel or two of rounding, a trackpad's drift. */
const BOTTOM_SLACK = 32;

function distanceToEnd(box: HTMLElement): number {
  return box.scrollHeight - box.scrollTop - box.clientHeight;
}

/**
 * Keeps a scrolling message list pinned to its newest content while the reader is at the bottom, and lets
 * them read back in peace once they scroll up. A chat opens at its end.
 *
 * `box` is the scrolling element, `content` the element that grows (new messages, the streamed answer):
 * its size changes are what move the view, so text that streams in without a new message follows too.
 */
export function useFollowScroll() {
  const [box, setBox] = useState<HTMLElement | null>(null);
  const [content, setContent] = useState<HTMLElement | null>(null);
  // A ref, not state: the resize observer reads it between renders.
  const pinned = useRef(true);
  const [atEnd, setAtEnd] = useState(true);

  const toEnd = useCallback(() => {
    if (!box) return;
    pinned.current = true;
    setAtEnd(true);
    box.scrollTop = box.scrollHeight;
  }, [box]);

  // The first paint of an opened chat shows its end, before the browser draws the top.
  useLayoutEffect(() => {
    if (box && content) box.scrollTop = box.scrollHeight;
  }, [box, content]);

  useEffect(() => {
    if (!box) return;
    let lastTop = box.scrollTop;
    const onScroll = () => {
      const top = box.scrollTop;
      // Only a move up lets go: the scroll event of our own jump to the end can arrive after more text
      // streamed in, and must not read as the reader leaving the bottom.
      if (distanceToEnd(box) <= BOTTOM_SLACK) pinned.current = true;
      else if (top < lastTop - 1) pinned.current = false;
      lastTop = top;
      setAtEnd(pinned.current);
    };
    box.addEventListener('scroll', onScroll, { passive: true });
    return () => box.removeEventListener('scroll', onScroll);
  }, [box]);

  useEffect(() => {
    if (!box || !content || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (pinned.current) box.scrollTop = box.scrollHeight;
    });
    observer.observe(content);
    // The box shrinks too (the phone keyboard, a taller composer): stay on the last line.
    observer.observe(box);
    return () => observer.disconnect();
  }, [box, content]);

  return { boxRef: setBox, contentRef: setContent, atEnd, toEnd };
}
