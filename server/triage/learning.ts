/**
 * The self-learning loop: the local classifier is trained on the seed dataset plus the labels of closed tickets
 * as agents corrected them, and retrained when new corrections arrive.
 */
import { Op } from 'sequelize';
import type { Models } from '../db/models.js';
import type { Logger } from '../log.js';
import { createLocalClassifier, loadSeedExamples } from './local/classifier.js';
import type { Classifier, ClassifyInput, TrainingExample } from './types.js';
import { isCategory, isLevel } from '../domain/vocabulary.js';

export function createLearningClassifier(deps: { models: Models; rootDir: string; log: Logger }) {
  const seeds = loadSeedExamples(deps.rootDir);
  let current = createLocalClassifier(seeds);
  let learnedFrom = 0;
  deps.log.info({ examples: current.trainedOn, ms: Math.round(current.trainMs) }, 'local classifier trained');

  /** Closed tickets whose triage an agent corrected, as training examples. */
  async function corrections(): Promise<TrainingExample[]> {
    const rows = await deps.models.Ticket.findAll({
      where: { corrected: true, status: { [Op.in]: ['resolved', 'closed'] } },
      attributes: ['subject', 'description', 'category', 'severity', 'urgency'],
      order: [['id', 'ASC']],
      limit: 20_000,
    });
    return rows
      .filter((r) => isCategory(r.category) && isLevel(r.severity) && isLevel(r.urgency))
      .map((r) => ({
        text: `${r.subject}\n${r.description}`,
        category: r.category as TrainingExample['category'],
        severity: r.severity as TrainingExample['severity'],
        urgency: r.urgency as TrainingExample['urgency'],
      }));
  }

  const classifier: Classifier & { retrain(): Promise<boolean>; stats(): { trainedOn: number; corrections: number } } =
    {
      name: 'local',
      classify: (input: ClassifyInput) => current.classify(input),
      /** Retrains when the number of corrections changed; returns whether it did. */
      async retrain() {
        const extra = await corrections();
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
