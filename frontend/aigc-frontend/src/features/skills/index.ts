/** Public surface of the skills feature, for the app layer. */
export { SkillsPage } from './components/skills-page';
