import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { describeError } from '@/lib/describe-error';
import { type LoginInput, useLogin } from '../api/login';

/** Username and password form. On success the session starts; the route guard then leaves the page. */
export function SignInForm({ initialUsername }: { initialUsername?: string }) {
  const { t } = useTranslation();
  const login = useLogin();

  return (
    <Form<LoginInput>
      name="sign-in"
      layout="vertical"
      requiredMark={false}
      initialValues={{ username: initialUsername ?? '' }}
      onFinish={(values) => login.mutate(values)}
      disabled={login.isPending}
    >
      {login.isError ? (
        <Alert role="alert" type="error" showIcon title={describeError(login.error, t)} style={{ marginBottom: 16 }} />
      ) : null}
      <Form.Item
        label={t('auth.usernameOrEmail')}
        name="username"
        rules={[{ required: true, whitespace: true, message: t('auth.validation.usernameRequired') }]}
      >
        <Input prefix={<UserOutlined aria-hidden />} autoComplete="username" autoFocus />
      </Form.Item>
      <Form.Item
        label={t('auth.password')}
        name="password"
        rules={[{ required: true, message: t('auth.validation.passwordRequired') }]}
      >
        <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" />
      </Form.Item>
      <Form.Item style={{ marginBottom: 0 }}>
        <Button type="primary" htmlType="submit" block loading={login.isPending}>
          {t('auth.signIn')}
        </Button>
      </Form.Item>
    </Form>
  );
}
