/**
 * The local understander: intent from the example-trained classifier, facts from rules.
 * Trained once per process on first use (well under a second), then cached.
 */
import { IntentClassifier, loadExamples } from './classifier.js';
import { extractFacts, type FactContext } from './facts.js';
import type { Understander, Understanding } from './types.js';

export * from './types.js';
export { extractFacts, type FactContext } from './facts.js';

class LocalUnderstander implements Understander {
  constructor(private readonly classifier: IntentClassifier) {}

  understand(text: string, context: FactContext = {}): Understanding {
    const { intent, confidence } = this.classifier.classify(text);
    // Facts depend on the intent: a forget request turns what it names into retractions, and
    // questions about us ("what do you know about my dad?") state nothing.
    return { text, intent, confidence, facts: extractFacts(text, intent, context) };
  }
}

let cached: Understander | undefined;

/** The local understander, trained on first call and shared afterwards. */
export function createUnderstander(): Understander {
  cached ??= new LocalUnderstander(IntentClassifier.train(loadExamples()));
  return cached;
}

/** `context.now` (and the shopper's time zone) lets dates said relative to the message be kept. */
export function understand(text: string, context: FactContext = {}): Understanding {
  return createUnderstander().understand(text, context);
}
