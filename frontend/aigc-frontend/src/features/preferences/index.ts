/** Public surface of the preferences feature, for the app layer. */
export { PreferencesPage } from './components/preferences-page';
