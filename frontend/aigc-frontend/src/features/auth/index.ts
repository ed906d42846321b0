/** Public surface of the auth feature, for the app layer. */
export { AuthProvider } from './components/auth-provider';
export { RegisterForm } from './components/register-form';
export { SignInForm } from './components/sign-in-form';
export { type AuthState, type AuthStatus, useAuth } from './hooks/use-auth';
