/** Every route path of the app, so links and redirects never spell them out twice. */
export const paths = {
  home: '/',
  signIn: '/sign-in',
  register: '/register',
  scenarios: '/scenarios',
  chat: '/chat',
  history: '/history',
  skills: '/skills',
  preferences: '/preferences',
  admin: '/admin',
} as const;
