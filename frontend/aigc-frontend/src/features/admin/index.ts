/** Public surface of the admin feature, for the app layer. */
export { JobsAdmin } from './components/jobs-admin';
export { ScenariosAdmin } from './components/scenarios-admin';
export { UsersAdmin } from './components/users-admin';
