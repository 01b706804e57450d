/**
 * The self-learning loop: the local classifier is trained on the seed dataset plus the labels of closed tickets
 * as agents corrected them, and retrained when new corrections arrive.
 */
import type { Logger } from '../log.js';
import { createLocalClassifier, loadSeedExamples } from './local/classifier.js';
import type { Classifier, ClassifyInput, TrainingExample } from './types.js';

export interface LearningDeps {
  rootDir: string;
  /** Resolved or closed tickets whose triage an agent corrected (the ticket service reads them). */
  corrections: () => Promise<TrainingExample[]>;
  log: Logger;
}

export function createLearningClassifier(deps: LearningDeps) {
  const seeds = loadSeedExamples(deps.rootDir);
  let current = createLocalClassifier(seeds);
  let learnedFrom = 0;
  deps.log.info({ examples: current.trainedOn, ms: Math.round(current.trainMs) }, 'local classifier trained');

  const classifier: Classifier & { retrain(): Promise<boolean>; stats(): { trainedOn: number; corrections: number } } =
    {
      name: 'local',
      classify: (input: ClassifyInput) => current.classify(input),
      /** Retrains when the number of corrections changed; returns whether it did. */
      async retrain() {
        const extra = await deps.corrections();
        if (extra.length === learnedFrom) return false;
        current = createLocalClassifier([...seeds, ...extra]);
        learnedFrom = extra.length;
        deps.log.info(
          { examples: current.trainedOn, corrections: extra.length, ms: Math.round(current.trainMs) },
          'local classifier retrained',
        );
        return true;
      },
      stats: () => ({ trainedOn: current.trainedOn, corrections: learnedFrom }),
    };
  return classifier;
}
