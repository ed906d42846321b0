/** Public surface of the feedback feature, for the app layer. */
export { FeedbackBar } from './components/feedback-bar';
