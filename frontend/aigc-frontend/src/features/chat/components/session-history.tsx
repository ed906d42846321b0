import { DeleteOutlined, EditOutlined, MessageOutlined } from '@ant-design/icons';
import { observeElementRect, useVirtualizer } from '@tanstack/react-virtual';
import { Alert, App, Button, Empty, Flex, Input, Modal, Popconfirm, Space, Spin, Typography } from 'antd';
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SessionPublic } from '@/client/types.gen';
import { paths } from '@/config/paths';
import { describeError } from '@/lib/describe-error';
import { formatDateTime, formatUsd } from '@/lib/format';
import { useDeleteSession } from '../api/delete-session';
import { useSessions } from '../api/list-sessions';
import { useRenameSession } from '../api/rename-session';

const ROW_HEIGHT = 68;

function RenameDialog({ session, onClose }: { session: SessionPublic | null; onClose: () => void }) {
  const { t } = useTranslation();
  const rename = useRenameSession();
  // The mutation object is new on every render; its reset function is stable.
  const resetRename = rename.reset;
  const [title, setTitle] = useState('');
  useEffect(() => {
    setTitle(session?.title ?? '');
    resetRename();
  }, [session, resetRename]);
  const save = () => {
    if (!session || !title.trim()) return;
    rename.mutate({ id: session.id, title: title.trim() }, { onSuccess: onClose });
  };
  return (
    <Modal
      open={session !== null}
      title={t('history.renameTitle')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={save}
      okButtonProps={{ disabled: !title.trim(), loading: rename.isPending }}
      onCancel={onClose}
      destroyOnHidden
    >
      <label htmlFor="rename-input" className="visually-hidden">
        {t('history.newTitle')}
      </label>
      <Input
        id="rename-input"
        value={title}
        maxLength={200}
        autoFocus
        onChange={(event) => setTitle(event.target.value)}
        onPressEnter={save}
      />
      {rename.error ? <Alert type="error" title={describeError(rename.error, t)} style={{ marginTop: 12 }} /> : null}
    </Modal>
  );
}

/** Every session of the user: search, rename, delete. Paged from the server and virtualised. */
export function SessionHistory() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search.trim());
  const { data, error, isPending, fetchNextPage, hasNextPage, isFetchingNextPage } = useSessions(query);
  const remove = useDeleteSession();
  const [renaming, setRenaming] = useState<SessionPublic | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);

  const sessions = useMemo(() => data?.pages.flatMap((page) => page.items) ?? [], [data]);
  const total = data?.pages[0]?.count ?? 0;

  const virtualizer = useVirtualizer({
    count: sessions.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    initialRect: { width: 800, height: 600 },
    // A box measured at zero height (not laid out yet, or no layout engine) still renders a first screen.
    observeElementRect: (instance, callback) =>
      observeElementRect(instance, (rect) => callback(rect.height > 0 ? rect : { width: rect.width, height: 600 })),
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= sessions.length - 10) void fetchNextPage();
  }, [lastIndex, sessions.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const doDelete = (session: SessionPublic) =>
    remove.mutate(session.id, {
      onSuccess: () => message.success(t('history.deleted')),
      onError: (err) => message.error(describeError(err, t)),
    });

  return (
    <section aria-labelledby="page-title" className="history-page">
      <Flex align="center" justify="space-between" wrap gap={16} style={{ marginBottom: 16 }}>
        <Typography.Title level={1} id="page-title" style={{ fontSize: 24, margin: 0 }}>
          {t('pages.history.title')}
        </Typography.Title>
        <Input.Search
          allowClear
          placeholder={t('history.search')}
          aria-label={t('history.search')}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          style={{ maxWidth: 320 }}
        />
      </Flex>
      {error ? <Alert type="error" showIcon title={describeError(error, t)} /> : null}
      {isPending ? <Spin style={{ display: 'block', margin: '48px auto' }} /> : null}
      {!isPending && sessions.length === 0 ? (
        <Empty description={query ? t('history.noMatch') : t('pages.history.empty')} style={{ marginTop: 48 }}>
          {!query ? <Link to={paths.scenarios}>{t('history.startOne')}</Link> : null}
        </Empty>
      ) : null}
      {sessions.length > 0 ? (
        <>
          <Typography.Text type="secondary" role="status">
            {t('history.count', { count: total })}
          </Typography.Text>
          <div ref={scrollRef} className="history-scroll" data-testid="history-scroll">
            <ul
              aria-label={t('pages.history.title')}
              style={{ height: virtualizer.getTotalSize(), position: 'relative', margin: 0, padding: 0 }}
            >
              {virtualRows.map((row) => {
                const session = sessions[row.index];
                return (
                  <li
                    key={session.id}
                    className="history-row"
                    aria-setsize={total}
                    aria-posinset={row.index + 1}
                    style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${row.start}px)` }}
                  >
                    <MessageOutlined aria-hidden className="history-icon" />
                    <div className="history-text">
                      <Link to={`${paths.chat}/${session.id}`} className="history-title">
                        {session.title || t('chat.untitled')}
                      </Link>
                      <Typography.Text type="secondary" ellipsis className="history-meta">
                        {[
                          session.scenario_name,
                          t('history.messages', { count: session.message_count }),
                          formatUsd(session.total_cost_usd),
                          formatDateTime(session.updated_at, i18n.language),
                        ].join(' · ')}
                      </Typography.Text>
                    </div>
                    <Space size={4}>
                      <Button
                        type="text"
                        icon={<EditOutlined aria-hidden />}
                        aria-label={t('history.rename', { title: session.title })}
                        onClick={() => setRenaming(session)}
                      />
                      <Popconfirm
                        title={t('history.confirmDelete')}
                        description={t('history.confirmDeleteHint')}
                        okText={t('common.delete')}
                        cancelText={t('common.cancel')}
                        okButtonProps={{ danger: true }}
                        onConfirm={() => doDelete(session)}
                      >
                        <Button
                          type="text"
                          danger
                          icon={<DeleteOutlined aria-hidden />}
                          aria-label={t('history.delete', { title: session.title })}
                        />
                      </Popconfirm>
                    </Space>
                  </li>
                );
              })}
            </ul>
            {isFetchingNextPage ? <Spin size="small" style={{ display: 'block', margin: 8 }} /> : null}
          </div>
        </>
      ) : null}
      <RenameDialog session={renaming} onClose={() => setRenaming(null)} />
    </section>
  );
}
