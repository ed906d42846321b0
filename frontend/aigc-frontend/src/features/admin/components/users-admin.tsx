import { DeleteOutlined, UserAddOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Form, Input, Modal, Popconfirm, Select, Switch, Table, Typography } from 'antd';
import { useDeferredValue, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserCreate, UserPublic } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { formatDateTime } from '@/lib/format';
import { useCreateUser, useDeleteUser, useUpdateUser, useUsers } from '../api/users-api';

function CreateUserDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<UserCreate>();
  const create = useCreateUser();
  return (
    <Modal
      open={open}
      title={t('admin.users.create')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {create.error ? <Alert type="error" showIcon title={describeError(create.error, t)} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ role: 'user' }}
        onFinish={(values) =>
          create.mutate(
            { ...values, email: values.email || null, display_name: values.display_name || null },
            { onSuccess: onClose },
          )
        }
      >
        <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, min: 3, max: 64 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, min: 8, max: 128 }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="email" label={t('auth.email')} rules={[{ type: 'email' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="display_name" label={t('auth.displayName')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="role" label={t('admin.users.role')}>
          <Select options={[{ value: 'user', label: t('header.role.user') }, { value: 'admin', label: t('header.role.admin') }]} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Accounts: search, enable or disable, change the role, create and delete. */
export function UsersAdmin({ currentUserId }: { currentUserId: string | null }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const query = useDeferredValue(search.trim());
  const pageSize = 20;
  const { data, error, isFetching } = useUsers(query, page, pageSize);
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const onError = (err: unknown) => message.error(describeError(err, t));

  return (
    <section aria-labelledby="users-title">
      <Flex align="center" justify="space-between" wrap gap={12} style={{ marginBottom: 16 }}>
        <Typography.Title level={2} id="users-title" style={{ fontSize: 18, margin: 0 }}>
          {t('admin.users.title')}
        </Typography.Title>
        <Flex gap={8} wrap>
          <Input.Search
            allowClear
            placeholder={t('admin.users.search')}
            aria-label={t('admin.users.search')}
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(1);
            }}
            style={{ width: 260 }}
          />
          <Button type="primary" icon={<UserAddOutlined aria-hidden />} onClick={() => setCreating(true)}>
            {t('admin.users.create')}
          </Button>
        </Flex>
      </Flex>
      {error ? <Alert type="error" showIcon title={describeError(error, t)} /> : null}
      <Table<UserPublic>
        rowKey="id"
        loading={isFetching}
        dataSource={data?.items ?? []}
        scroll={{ x: 900 }}
        pagination={{ current: page, pageSize, total: data?.count ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          {
            title: t('auth.username'),
            dataIndex: 'username',
            render: (username: string, user) => (
              <Flex vertical>
                <Typography.Text strong>{username}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {[user.display_name, user.email].filter(Boolean).join(' · ') || '—'}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: t('admin.users.role'),
            dataIndex: 'role',
            width: 160,
            render: (role: string, user) => (
              <Select
                size="small"
                value={role}
                disabled={user.id === currentUserId}
                aria-label={t('admin.users.roleLabel', { name: user.username })}
                style={{ width: 130 }}
                onChange={(next) => update.mutate({ id: user.id, body: { role: next as UserPublic["role"] } }, { onError })}
                options={[{ value: 'user', label: t('header.role.user') }, { value: 'admin', label: t('header.role.admin') }]}
              />
            ),
          },
          {
            title: t('admin.users.active'),
            dataIndex: 'is_active',
            width: 100,
            render: (active: boolean, user) => (
              <Switch
                size="small"
                checked={active}
                disabled={user.id === currentUserId}
                aria-label={t('admin.users.activeLabel', { name: user.username })}
                onChange={(is_active) => update.mutate({ id: user.id, body: { is_active } }, { onError })}
              />
            ),
          },
          {
            title: t('admin.users.created'),
            dataIndex: 'created_at',
            width: 180,
            render: (value: string) => formatDateTime(value, i18n.language),
          },
          {
            title: t('admin.users.lastLogin'),
            dataIndex: 'last_login_at',
            width: 180,
            render: (value: string | null) => (value ? formatDateTime(value, i18n.language) : '—'),
          },
          {
            title: t('common.actions'),
            width: 80,
            render: (_, user) => (
              <Popconfirm
                title={t('admin.users.deleteConfirm', { name: user.username })}
                okText={t('common.delete')}
                cancelText={t('common.cancel')}
                okButtonProps={{ danger: true }}
                disabled={user.id === currentUserId}
                onConfirm={() => remove.mutate(user.id, { onError })}
              >
                <Button
                  type="text"
                  danger
                  disabled={user.id === currentUserId}
                  icon={<DeleteOutlined aria-hidden />}
                  aria-label={t('admin.users.deleteLabel', { name: user.username })}
                />
              </Popconfirm>
            ),
          },
        ]}
      />
      <CreateUserDialog open={creating} onClose={() => setCreating(false)} />
    </section>
  );
}
