import { MessageOutlined, PlusOutlined } from '@ant-design/icons';
import { Conversations } from '@ant-design/x';
import { Button, Empty, Spin } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { paths } from '@/config/paths';
import { useSessions } from '../api/list-sessions';

/** The recent sessions, for switching between conversations; the full list is on the history page. */
export function ChatSidebar({ activeId }: { activeId?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data, isPending } = useSessions();
  const items = useMemo(
    () =>
      (data?.pages[0]?.items ?? []).map((session) => ({
        key: session.id,
        label: session.title || t('chat.untitled'),
        icon: <MessageOutlined aria-hidden />,
        title: session.title,
      })),
    [data, t],
  );

  return (
    <nav className="chat-sidebar" aria-label={t('chat.sessionsLabel')}>
      <Button
        block
        icon={<PlusOutlined aria-hidden />}
        onClick={() => navigate(paths.chat)}
        style={{ marginBottom: 12 }}
      >
        {t('chat.newChat')}
      </Button>
      {isPending ? <Spin /> : null}
      {!isPending && items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('pages.history.empty')} />
      ) : (
        <Conversations
          items={items}
          activeKey={activeId}
          onActiveChange={(key) => navigate(`${paths.chat}/${key}`)}
        />
      )}
    </nav>
  );
}
