import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Avatar, Button, Dropdown, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuth } from '@/features/auth';

/** The signed-in user's name and role, with sign-out; `compact` (phones) shows only the avatar. */
export function UserMenu({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { user, signOut } = useAuth();
  if (!user) return null;
  const name = user.display_name || user.username;

  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          {
            key: 'who',
            disabled: true,
            label: (
              <Typography.Text type="secondary">
                {user.username} · {t(`header.role.${user.role}`)}
              </Typography.Text>
            ),
          },
          { type: 'divider' },
          { key: 'sign-out', icon: <LogoutOutlined aria-hidden />, label: t('header.signOut'), onClick: () => void signOut() },
        ],
      }}
    >
      <Button type="text" aria-label={t('header.userMenu', { name })} icon={<Avatar size="small" icon={<UserOutlined />} />}>
        {compact ? null : name}
      </Button>
    </Dropdown>
  );
}
