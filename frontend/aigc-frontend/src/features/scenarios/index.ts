/** Public surface of the scenarios feature, for the app layer. */
export { ScenarioGallery } from './components/scenario-gallery';
export { localizeScenario } from './localize';
