/** Public surface of the stats feature, for the app layer. */
export { StatsDashboard } from './components/stats-dashboard';
