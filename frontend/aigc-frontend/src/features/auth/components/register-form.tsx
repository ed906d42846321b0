import { Alert, Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import type { UserRegister } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { useRegister } from '../api/register';

type RegisterValues = UserRegister & { confirm: string };

/** Self-service sign-up. Calls `onRegistered` with the new username once the account exists. */
export function RegisterForm({ onRegistered }: { onRegistered: (username: string) => void }) {
  const { t } = useTranslation();
  const register = useRegister();

  const submit = ({ confirm: _confirm, email, display_name, ...rest }: RegisterValues) => {
    register.mutate(
      { ...rest, email: email?.trim() || null, display_name: display_name?.trim() || null },
      { onSuccess: (user) => onRegistered(user.username) },
    );
  };

  return (
    <Form<RegisterValues> name="register" layout="vertical" onFinish={submit} disabled={register.isPending}>
      {register.isError ? (
        <Alert role="alert" type="error" showIcon title={describeError(register.error, t)} style={{ marginBottom: 16 }} />
      ) : null}
      <Form.Item
        label={t('auth.username')}
        name="username"
        rules={[
          { required: true, whitespace: true, message: t('auth.validation.usernameRequired') },
          { min: 3, max: 64, message: t('auth.validation.usernameLength') },
          { pattern: /^[A-Za-z0-9_.-]+$/, message: t('auth.validation.usernamePattern') },
        ]}
      >
        <Input autoComplete="username" autoFocus />
      </Form.Item>
      <Form.Item label={t('auth.email')} name="email" rules={[{ type: 'email', max: 255, message: t('auth.validation.emailInvalid') }]}>
        <Input type="email" autoComplete="email" />
      </Form.Item>
      <Form.Item label={t('auth.displayName')} name="display_name" rules={[{ max: 100, message: t('auth.validation.displayNameLength') }]}>
        <Input autoComplete="nickname" />
      </Form.Item>
      <Form.Item
        label={t('auth.password')}
        name="password"
        rules={[
          { required: true, message: t('auth.validation.passwordRequired') },
          { min: 8, max: 128, message: t('auth.validation.passwordLength') },
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        label={t('auth.confirmPassword')}
        name="confirm"
        dependencies={['password']}
        rules={[
          { required: true, message: t('auth.validation.confirmRequired') },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || getFieldValue('password') === value
                ? Promise.resolve()
                : Promise.reject(new Error(t('auth.validation.passwordMismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item style={{ marginBottom: 0 }}>
        <Button type="primary" htmlType="submit" block loading={register.isPending}>
          {t('auth.register')}
        </Button>
      </Form.Item>
    </Form>
  );
}
