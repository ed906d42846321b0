import { Bubble, Sender } from '@ant-design/x';
import type { BubbleItemType } from '@ant-design/x/es/bubble/interface';
import { ArrowDownOutlined, FolderOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Drawer, Flex, Result, Spin, Typography } from 'antd';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { labelledSenderInput } from '@/components/labelled-sender-input';
import type { ArtifactPublic, MessagePublic } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { useMediaQuery } from '@/lib/use-media-query';
import { useSession } from '../api/get-session';
import { useFollowScroll } from '../hooks/use-follow-scroll';
import { useTurnActions } from '../hooks/use-turn-actions';
import { chatItems, savedToolCalls, savedUsage } from '../turn/chat-items';
import { isActive } from '../turn/turn-reducer';
import { useTurn } from '../turn/turn-store';
import { Answer, type AnswerProps } from './answer';
import { ArtifactsPanel } from './artifacts-panel';

const messageInput = labelledSenderInput('chat.inputLabel');
/** Too narrow for the files beside the messages: they open from a button instead. */
const NARROW_QUERY = '(max-width: 1099.98px)';

export interface ConversationProps {
  sessionId: string;
  /** Rendered under every finished assistant answer (feedback buttons). */
  renderAnswerExtra?: (message: MessagePublic) => ReactNode;
}

const savedState = (status: string): AnswerProps['state'] => {
  if (status === 'running') return 'running';
  if (status === 'error') return 'error';
  if (status === 'stopped') return 'stopped';
  return 'ok';
};

/** One session: the messages, the live turn, the composer with send and stop, and the files panel. */
export function Conversation({ sessionId, renderAnswerExtra }: ConversationProps) {
  const { t } = useTranslation();
  const { data: session, error, isPending, refetch } = useSession(sessionId);
  const turn = useTurn(sessionId);
  const actions = useTurnActions();
  const [draft, setDraft] = useState('');
  const [stopping, setStopping] = useState(false);
  const [filesOpen, setFilesOpen] = useState(false);
  const narrow = useMediaQuery(NARROW_QUERY);
  const follow = useFollowScroll();
  const attached = useRef<Set<string>>(new Set());
  const running = isActive(turn);

  // A turn still running after a reload (or from another tab): follow it from the start.
  useEffect(() => {
    if (!session || turn || attached.current.has(sessionId)) return;
    const last = session.messages?.at(-1);
    if (session.is_running || (last?.role === 'assistant' && last.status === 'running')) {
      attached.current.add(sessionId);
      void actions.attach(sessionId);
    }
  }, [session, turn, sessionId, actions]);

  useEffect(() => {
    if (!running) setStopping(false);
  }, [running]);

  const messages = useMemo(() => session?.messages ?? [], [session]);
  const items = useMemo(() => chatItems(messages, turn), [messages, turn]);
  const lastUserText = useMemo(() => {
    for (let i = items.length - 1; i >= 0; i -= 1) {
      const item = items[i];
      if (item.kind === 'pending-user') return item.text;
      if (item.kind === 'message' && item.message.role === 'user') return item.message.content;
    }
    return null;
  }, [items]);

  const artifacts = useMemo(() => {
    const byId = new Map<string, ArtifactPublic>();
    (session?.artifacts ?? []).forEach((artifact) => byId.set(artifact.id, artifact));
    (turn?.artifacts ?? []).forEach((artifact) => byId.set(artifact.id, artifact));
    return [...byId.values()];
  }, [session, turn]);

  if (isPending) return <Spin style={{ display: 'block', margin: '48px auto' }} />;
  if (error || !session) {
    return (
      <Result
        status="warning"
        title={describeError(error, t)}
        extra={<Button onClick={() => void refetch()}>{t('chat.reload')}</Button>}
      />
    );
  }

  const retry = lastUserText && !running ? () => void actions.send(sessionId, lastUserText) : undefined;
  const lastKey = items.at(-1)?.key;

  const bubbles: BubbleItemType[] = items.map((item) => {
    if (item.kind === 'pending-user') return { key: item.key, role: 'user', content: item.text };
    if (item.kind === 'message' && item.message.role === 'user') {
      return { key: item.key, role: 'user', content: item.message.content };
    }
    if (item.kind === 'message') {
      const { message } = item;
      const state = savedState(message.status);
      return {
        key: item.key,
        role: 'ai',
        content: (
          <Answer
            text={message.content}
            tools={savedToolCalls(message)}
            usage={savedUsage(message)}
            state={state}
            error={message.error}
            onRetry={item.key === lastKey ? retry : undefined}
            extra={state === 'running' ? null : renderAnswerExtra?.(message)}
          />
        ),
      };
    }
    const live = item.turn;
    let state: AnswerProps['state'] = live.phase === 'done' ? (live.doneStatus ?? 'ok') : 'running';
    if (live.phase === 'connecting' || live.phase === 'queued') state = live.phase;
    if (live.phase === 'failed') state = 'error';
    let errorText = live.error?.message || null;
    if (live.error?.kind === 'network') errorText = t('errors.network');
    return {
      key: item.key,
      role: 'ai',
      content: (
        <Answer
          text={live.text}
          tools={live.tools}
          usage={live.usage}
          state={state}
          queuePosition={live.queuePosition}
          error={errorText}
          onRetry={retry}
        />
      ),
    };
  });

  const submit = (text: string) => {
    const content = text.trim();
    if (!content || running) return;
    setDraft('');
    // Whoever sends wants to see the reply, wherever they had scrolled to.
    follow.toEnd();
    void actions.send(sessionId, content);
  };

  const stop = () => {
    setStopping(true);
    actions.stop(sessionId).catch(() => setStopping(false));
  };

  const files = <ArtifactsPanel artifacts={artifacts} />;

  return (
    <div className="conversation">
      <div className="conversation-main">
        <header className="conversation-header">
          <Typography.Title level={1} ellipsis style={{ fontSize: 18, margin: 0 }} id="page-title">
            {session.title || t('chat.untitled')}
          </Typography.Title>
          <Typography.Text type="secondary" ellipsis className="conversation-scenario">
            {session.scenario_name}
          </Typography.Text>
          {narrow ? (
            <Badge count={artifacts.length} size="small" className="conversation-files-button">
              <Button
                icon={<FolderOutlined aria-hidden />}
                aria-label={t('chat.artifacts.open', { count: artifacts.length })}
                aria-expanded={filesOpen}
                onClick={() => setFilesOpen(true)}
              />
            </Badge>
          ) : null}
        </header>
        <div className="conversation-scroll">
          {/* The log scrolls itself (not Bubble.List) so that following the newest message is ours to decide. */}
          <div className="conversation-messages" role="log" aria-label={t('chat.messagesLabel')} ref={follow.boxRef}>
            <div ref={follow.contentRef}>
              {bubbles.length === 0 ? (
                <Flex justify="center" style={{ padding: 48 }}>
                  <Typography.Text type="secondary">{t('chat.emptySession')}</Typography.Text>
                </Flex>
              ) : (
                <Bubble.List
                  items={bubbles}
                  autoScroll={false}
                  role={{
                    ai: { placement: 'start', variant: 'borderless', rootClassName: 'ai-bubble' },
                    user: { placement: 'end', variant: 'filled' },
                  }}
                />
              )}
            </div>
          </div>
          {follow.atEnd ? null : (
            <Button
              className="jump-to-latest"
              shape="round"
              icon={<ArrowDownOutlined aria-hidden />}
              onClick={follow.toEnd}
            >
              {t('chat.jumpToLatest')}
            </Button>
          )}
        </div>
        {turn?.phase === 'failed' && turn.error?.code === 'turn_running' ? (
          <Alert type="info" showIcon title={t('chat.turnRunning')} />
        ) : null}
        <div className="conversation-composer">
          <Sender
            value={draft}
            onChange={setDraft}
            onSubmit={submit}
            loading={running}
            onCancel={stop}
            disabled={stopping}
            placeholder={t('chat.placeholder')}
            components={messageInput}
            autoSize={{ minRows: 1, maxRows: 8 }}
            suffix={(_, { components: { SendButton, LoadingButton } }) =>
              running ? (
                <LoadingButton
                  aria-label={t('chat.stop')}
                  title={t('chat.stop')}
                  disabled={stopping}
                  data-testid="stop-button"
                />
              ) : (
                <SendButton aria-label={t('chat.send')} title={t('chat.send')} disabled={!draft.trim()} />
              )
            }
          />
          {running ? (
            <Typography.Text type="secondary" role="status" className="composer-status">
              {stopping ? t('chat.stopping') : t('chat.running')}
            </Typography.Text>
          ) : null}
        </div>
      </div>
      {narrow ? (
        <Drawer
          open={filesOpen}
          onClose={() => setFilesOpen(false)}
          placement="bottom"
          size="70%"
          closable={{ 'aria-label': t('common.close') }}
        >
          {files}
        </Drawer>
      ) : (
        <aside className="conversation-side" aria-label={t('chat.artifacts.title')}>
          {files}
        </aside>
      )}
    </div>
  );
}
